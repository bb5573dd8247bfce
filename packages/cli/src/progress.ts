/** A one-line progress bar on a TTY; silent when the stream is piped. */
export function progressBar(
  stream: { write(text: string): unknown; readonly isTTY?: boolean },
  total: number,
  label: string,
) {
  const enabled = stream.isTTY === true;
  let last = -1;
  return {
    update(done: number): void {
      if (!enabled) return;
      const percent = total > 0 ? Math.floor((done / total) * 100) : 0;
      if (percent === last) return;
      last = percent;
      const width = 30;
      const filled = Math.round((percent / 100) * width);
      stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent}% (${done}/${total})`);
    },
    end(): void {
      if (enabled) stream.write('\n');
    },
  };
}
