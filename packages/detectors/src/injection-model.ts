import { readFileSync } from 'node:fs';
import { ConfigError } from '@parapet/core';
import { createModel, decodeModel, type InjectionModel } from './injection/model.js';

// Resolves to packages/detectors/model/ from both src/ (tests, tsx) and dist/ (the published bundle).
const DEFAULT_MODEL = new URL('../model/injection.bin', import.meta.url);

let defaultModel: InjectionModel | undefined;
const byPath = new Map<string, InjectionModel>();

/**
 * Loads the injection model: the shipped `model/injection.bin` by default, or a file trained with
 * `pnpm train:injection` on your own data. Loaded once per path and kept for the process (about 1 ms;
 * the weights are 0.75 MB of signed bytes read in one call).
 */
export function loadInjectionModel(path?: string): InjectionModel {
  if (path === undefined && defaultModel !== undefined) return defaultModel;
  if (path !== undefined) {
    const cached = byPath.get(path);
    if (cached !== undefined) return cached;
  }
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path ?? DEFAULT_MODEL);
  } catch (error) {
    throw new ConfigError({
      message: `Cannot read the injection model at ${path ?? DEFAULT_MODEL.pathname}: ${(error as Error).message}. Pass a file written by \`pnpm train:injection\`, or reinstall @parapet/detectors (the package ships model/injection.bin).`,
      cause: error,
    });
  }
  let model: InjectionModel;
  try {
    const { header, weights } = decodeModel(bytes);
    model = createModel(header, weights);
  } catch (error) {
    throw new ConfigError({
      message: `The injection model file ${path ?? 'model/injection.bin'} is not usable: ${(error as Error).message}. Retrain it with \`pnpm train:injection\`.`,
      cause: error,
    });
  }
  if (path === undefined) defaultModel = model;
  else byPath.set(path, model);
  return model;
}
