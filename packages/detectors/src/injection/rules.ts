import type { PhraseRule } from './phrases.js';

/**
 * The rule layer: phrases of prompt injection and jailbreak in English, French, German, Spanish, Italian,
 * Portuguese and Dutch (instruction override also in a dozen more, verb-final ones included), matched on the normalized text (homoglyphs, zero-width characters and leetspeak
 * already folded). Word lists are grouped by meaning so each rule reads as a sentence pattern.
 */

const ALL = (...groups: string[]): string => groups.join('|');

/** A rule word in the form the normalized text has (NFKC). */
export const nfkc = (word: string): string => word.normalize('NFKC');

// "ignore" and friends, per language.
const IGNORE_EN =
  'ignore|ignoring|disregard|disregarding|forget|skip|override|overlook|bypass|neglect|discard|abandon|drop|dismiss|erase|delete|clear|reset|void|cancel|scrap|ditch';
const IGNORE_FR =
  'ignore|ignorez|ignorer|ignores|oublie|oubliez|oublier|oublies|abandonne|abandonnez|négligez|néglige|annule|annulez|efface|effacez';
const IGNORE_DE =
  'ignoriere|ignorieren|ignoriert|vergiss|vergessen|vergesst|missachte|missachten|überspringe|verwirf|verwerfe|lösche';
const IGNORE_ES =
  'ignora|ignore|ignorar|ignoren|olvida|olvide|olvidar|olviden|descarta|descartar|omite|omitir|desestima|desatiende';
const IGNORE_IT =
  'ignora|ignori|ignorare|ignorate|dimentica|dimentichi|dimenticare|dimenticate|tralascia|scarta|trascura|annulla';
const IGNORE_PT =
  'ignore|ignora|ignorar|ignorem|esqueça|esqueca|esquece|esquecer|descarte|descarta|desconsidere|desconsidera|despreze';
const IGNORE_NL = 'negeer|negeren|vergeet|vergeten|verwerp|sla+over|overschrijf';
// Beyond the seven main languages: the most common forms only (a best effort, measured per language).
const IGNORE_MORE =
  'игнорируй|игнорируйте|игнорировать|проигнорируй|проигнорируйте|забудь|забудьте|ігноруй|ігноруйте|ігнорувати|забудь|αγνοήστε|αγνόησε|αγνοήσετε|ξεχάστε|ξέχασε|abaikan|lupakan|acuhkan|zignoruj|ignoruj|zapomnij|ignorera|glöm|ignoră|ignorați|ignorati|uită|uitați|kalimutan|balewalain|huwag+pansinin|bỏ+qua|phớt+lờ|quên|lờ+đi|تجاهل|تجاهلوا|انس|إنس|انسَ|نادیده|فراموش|התעלם|שכח';
const IGNORE = ALL(IGNORE_EN, IGNORE_FR, IGNORE_DE, IGNORE_ES, IGNORE_IT, IGNORE_PT, IGNORE_NL, IGNORE_MORE);

// "previous / above / all …"
const PRIOR_EN =
  'previous|previously|prior|above|earlier|preceding|former|original|initial|old|existing|past|all|any|every|your|system|developer|those|these|given|provided|aforementioned|foregoing';
const PRIOR_FR =
  'précédentes|précédents|précédente|précédent|antérieures|antérieurs|anciennes|toutes|tous|tes|vos|initiales|ci-dessus|dessus|système';
const PRIOR_DE =
  'vorherigen|vorherige|bisherigen|bisherige|obigen|obige|vorangegangenen|früheren|alle|alles|deine|ihre|ursprünglichen|vorigen|system';
const PRIOR_ES = 'anteriores|anterior|previas|previos|todas|todos|tus|sus|originales|iniciales|sistema';
const PRIOR_IT = 'precedenti|precedente|tutte|tutti|tue|sue|originali|iniziali|sopra|sistema';
const PRIOR_PT = 'anteriores|anterior|prévias|previas|todas|todos|tuas|suas|originais|iniciais|acima|sistema';
const PRIOR_NL = 'vorige|eerdere|voorgaande|bovenstaande|alle|je|jouw|uw|oorspronkelijke|originele|systeem';
const PRIOR_MORE =
  'предыдущие|предыдущих|прежние|все|попередні|усі|всі|προηγούμενες|προηγούμενων|όλες|sebelumnya|semua|poprzednie|wcześniejsze|wszystkie|tidigare|föregående|alla|anterioare|toate|nakaraang|naunang|lahat|trước|trước+đó|tất+cả|السابقة|جميع|كل|قبلی|همه|הקודמות|כל';
const PRIOR = ALL(PRIOR_EN, PRIOR_FR, PRIOR_DE, PRIOR_ES, PRIOR_IT, PRIOR_PT, PRIOR_NL, PRIOR_MORE);

// Adjectives that follow the noun: "instructions précédentes", "istruzioni precedenti", "the rules above".
const POST_PRIOR =
  'above|before|earlier|previous|prior|so+far|until+now|précédentes|précédents|antérieures|antérieurs|ci+dessus|données|reçues|anteriores|previas|previos|dadas|recibidas|precedenti|ricevute|date|sopra|acima|recebidas|dadas|vorigen|eerdere|hierboven|obigen|vorherigen|bisherigen|' +
  // Vietnamese, Indonesian, Russian, Arabic, Persian: the adjective after the noun as well.
  'trước|trước+đó|ở+trên|bên+trên|trên+đây|sebelumnya|di+atas|выше|ранее|السابقة|أعلاه|الأصلية|قبلی';

// Verb-final languages (Korean, Turkish, Hindi, Bengali, Persian): "previous instructions … ignore".
const PRIOR_SOV =
  '이전|이전의|위의|위|앞의|앞서|모든|기존|기존의|지금까지의|önceki|yukarıdaki|tüm|bütün|eski|verilen|पिछले|पिछली|पिछला|पूर्व|ऊपर|सभी|पहले|पुराने|আগের|পূর্ববর্তী|উপরের|সমস্ত|সব|পূর্বের|قبلی|تمام|همه';
const ORDERS_SOV =
  '지시|지시를|지시사항|지시사항을|지시사항들을|명령|명령을|명령어를|지침|지침을|규칙|규칙을|내용을|것을|talimatları|talimatlar|talimatlari|talimatı|talimatlarını|komutları|kuralları|yönergeleri|söylenenleri|निर्देशों|निर्देश|आदेशों|आदेश|नियमों|नियम|নির্দেশাবলী|নির্দেশ|নির্দেশনা|নির্দেশাবলীকে|নির্দেশগুলি|আদেশ|নিয়ম|নিয়মগুলি|دستورالعمل|دستورالعمل+ها|دستورالعملها|دستورالعملهای|دستورات|دستورها|قوانین';
const IGNORE_SOV =
  '무시|무시하고|무시해|무시해라|무시하세요|무시하십시오|무시하라|무시해요|잊어버리고|잊어버려|잊어버리세요|잊고|잊어|görmezden|yoksay|yok+say|unut|unutun|boşver|umursama|dikkate+alma|अनदेखा|नजरअंदाज|नज़रअंदाज़|भूल|उपेक्षा|উপেক্ষা|ভুলে|অগ্রাহ্য|نادیده|فراموش';

// "instructions / rules / prompt …"
const ORDERS_EN =
  'instructions|instruction|directives|directive|prompts|prompt|rules|guidelines|commands|directions|orders|programming|constraints|restrictions|guidance|policies|context|conversation|messages|training|guardrails|limitations|filters|task|tasks|text|content|input|everything';
const ORDERS_FR =
  'instructions|consignes|directives|règles|ordres|commandes|contraintes|restrictions|indications|messages|tâche|tout';
const ORDERS_DE =
  'anweisungen|anweisung|instruktionen|befehle|regeln|vorgaben|richtlinien|einschränkungen|aufgaben|aufgabe|nachrichten|alles';
const ORDERS_ES =
  'instrucciones|instrucción|directivas|directrices|reglas|órdenes|ordenes|comandos|restricciones|indicaciones|mensajes|tarea|todo';
const ORDERS_IT =
  'istruzioni|istruzione|direttive|regole|ordini|comandi|vincoli|restrizioni|indicazioni|messaggi|compito|tutto';
const ORDERS_PT =
  'instruções|instrucoes|instrução|diretrizes|diretivas|regras|ordens|comandos|restrições|restricoes|indicações|mensagens|tarefa|tudo';
const ORDERS_NL =
  'instructies|instructie|richtlijnen|regels|opdrachten|opdracht|bevelen|beperkingen|aanwijzingen|berichten|alles';
const ORDERS_MORE =
  'инструкции|инструкций|указания|команды|правила|інструкції|вказівки|команди|οδηγίες|εντολές|instruksi|perintah|petunjuk|aturan|instrukcje|polecenia|instruktioner|instruktionerna|regler|instrucțiunile|instructiunile|instrucțiuni|tagubilin|utos|instruksyon|hướng+dẫn|chỉ+dẫn|lệnh|chỉ+thị|التعليمات|تعليمات|تعليماتك|الأوامر|التوجيهات|دستورالعمل|دستورات|ההוראות|הוראות';
const ORDERS = ALL(ORDERS_EN, ORDERS_FR, ORDERS_DE, ORDERS_ES, ORDERS_IT, ORDERS_PT, ORDERS_NL, ORDERS_MORE);

const SECRET =
  'password|passcode|passphrase|passwords|secret+key|secret+code|secret+word|secret+phrase|secret+password|secret+number|api+key|access+code|pin+code|credentials|mot+de+passe|code+secret|clé+secrète|passwort|kennwort|geheimwort|geheimcode|contraseña|contrasena|clave+secreta|código+secreto|password+segreta|parola+d+ordine|codice+segreto|senha|chave+secreta|código+secreto|wachtwoord|geheime+code|toegangscode';
const SYSTEM_PROMPT =
  'system+prompt|system+message|system+instructions|initial+prompt|initial+instructions|original+prompt|original+instructions|hidden+prompt|hidden+instructions|secret+instructions|internal+instructions|developer+message|developer+instructions|pre+prompt|preprompt|meta+prompt|instructions+above|prompt+above|text+above|words+above|invite+système|prompt+système|prompt+système|systemprompt|systemanweisung|systemanweisungen|prompt+del+sistema|mensaje+del+sistema|prompt+di+sistema|messaggio+di+sistema|prompt+do+sistema|mensagem+do+sistema|systeemprompt|systeembericht';
const REVEAL =
  'reveal|show|print|display|repeat|output|tell|give|share|leak|dump|disclose|expose|recite|list|spell|write|provide|paste|copy|révèle|révélez|affiche|affichez|montre|montrez|répète|répétez|donne|donnez|dis|dites|zeig|zeige|zeigen|verrate|verraten|wiederhole|gib|nenne|sag|revela|revele|muestra|muestre|muéstrame|repite|dame|dime|mostra|mostrami|rivela|ripeti|dammi|dimmi|mostre|revele|repita|diga|me+diga|toon|onthul|herhaal|geef|vertel|noem';

// Verbs that ask for a secret ("copy", "write", "expose" are left out: documentation says "copy your API key").
const SECRET_VERBS =
  'reveal|show|print|display|tell|give|share|leak|disclose|say|spell|confirm|send|type|recite|révèle|révélez|donne|donnez|dis|dites|verrate|verraten|gib|nenne|sag|revela|revele|dame|dime|rivela|dammi|dimmi|diga|me+diga|onthul|geef|vertel|noem';

export const INJECTION_RULES: readonly PhraseRule[] = [
  // Instruction override.
  { id: 'override-prior', category: 'instruction-override', score: 0.95, phrase: `${IGNORE} ~3 ${PRIOR} ~2 ${ORDERS}` },
  {
    id: 'override-verb-final',
    category: 'instruction-override',
    score: 0.93,
    phrase: `${PRIOR_SOV} ~2 ${ORDERS_SOV} ~3 ${IGNORE_SOV}`,
  },
  {
    id: 'override-verb-final-above',
    category: 'instruction-override',
    score: 0.93,
    phrase: `yukarıdakileri|öncekileri|yukarıdakini|söylenenleri ~2 ${IGNORE_SOV}`,
  },
  // Romance languages (and "the instructions above") put the adjective after the noun.
  {
    id: 'override-noun-first',
    category: 'instruction-override',
    score: 0.93,
    phrase: `${IGNORE} ~3 ${ORDERS} ~2 ${POST_PRIOR}`,
  },
  {
    id: 'override-everything',
    category: 'instruction-override',
    score: 0.9,
    phrase: `${IGNORE} ~2 everything|everthing|anything|all ~4 told|said|above|before|previously|earlier|instructed|given|written|received`,
  },
  {
    id: 'override-what',
    category: 'instruction-override',
    score: 0.9,
    phrase: `${IGNORE} ~1 what|whatever ~3 told|said|instructed|programmed|wrote|written`,
  },
  {
    id: 'override-dont-follow',
    category: 'instruction-override',
    score: 0.9,
    phrase: `do+not|don+t|stop|cease|no+longer|never ~1 follow|following|obey|obeying|adhere|adhering|comply|complying ~3 ${PRIOR} ~2 ${ORDERS}`,
  },
  {
    id: 'override-instead',
    category: 'instruction-override',
    score: 0.8,
    phrase: `instead ~2 of ~3 ${PRIOR} ~2 ${ORDERS}`,
  },
  {
    id: 'override-new',
    category: 'instruction-override',
    score: 0.8,
    phrase: `new|updated|revised|real|actual|true|override|overriding|nouvelles|neue|neuen|nuevas|nuove|novas|nieuwe ~1 instructions|instruction|directives|rules|task|consignes|anweisungen|instrucciones|istruzioni|instruções|instrucoes|instructies|regels ~2 are|is|follow|follows|sont|sind|son|sono|são|zijn|below|ci+dessous|folgen|siguen|seguono|seguem|volgen`,
  },
  {
    id: 'override-supersede',
    category: 'instruction-override',
    score: 0.9,
    phrase: `supersede|supersedes|overrides|override|replace|replaces|take+precedence ~3 ${PRIOR} ~2 ${ORDERS}`,
  },
  {
    id: 'override-fr-tenir',
    category: 'instruction-override',
    score: 0.9,
    phrase: `ne ~1 tiens|tenez ~1 pas|plus ~1 compte ~4 ${ORDERS}`,
  },
  {
    id: 'override-start-over',
    category: 'instruction-override',
    score: 0.75,
    phrase: 'start|begin ~1 over|fresh|anew ~3 without|ignoring ~2 rules|instructions|restrictions',
  },
  {
    id: 'override-reset',
    category: 'instruction-override',
    score: 0.85,
    phrase:
      'your ~1 instructions|rules|programming|guidelines ~2 have|are ~2 been ~1 reset|changed|updated|removed|lifted|revoked|cancelled|overridden|suspended',
  },
  // Role reassignment.
  {
    id: 'role-now',
    category: 'role-reassignment',
    score: 0.85,
    phrase:
      'you|you+re|you+are ~1 now|henceforth ~2 a|an|my|the|called|named|going|no|free|unrestricted|unfiltered|uncensored|evil|jailbroken|dan',
  },
  {
    id: 'role-from-now',
    category: 'role-reassignment',
    score: 0.75,
    phrase:
      'from+now+on|from+this+moment|from+here+on|henceforth|à+partir+de+maintenant|désormais|ab+jetzt|von+nun+an|ab+sofort|a+partir+de+ahora|de+ahora+en+adelante|d+ora+in+poi|da+ora+in+poi|a+partir+de+agora|de+agora+em+diante|vanaf+nu ~4 you|your|tu|vous|du|sie|tú|usted|tu|você|voce|jij|je|u ~3 will|are|must|shall|should|serás|seras|sei|sarai|bist|wirst|bent|zult|es|êtes|seras|sera',
  },
  {
    id: 'role-no-longer',
    category: 'role-reassignment',
    score: 0.9,
    phrase:
      'you|you+re|you+are ~2 no+longer|not+anymore ~3 ai|assistant|chatgpt|bound|restricted|limited|an+ai|a+language+model|claude|gpt',
  },
  {
    id: 'role-pretend',
    category: 'role-reassignment',
    score: 0.75,
    phrase:
      'pretend|imagine|suppose ~1 you|you+re|you+are|to+be ~3 unrestricted|evil|unfiltered|uncensored|without+rules|without+restrictions|without+limits|free+from|jailbroken|an+ai+without|another+ai|a+different+ai',
  },
  {
    id: 'role-act-unrestricted',
    category: 'role-reassignment',
    score: 0.9,
    phrase:
      'act|behave|respond|answer|reply|roleplay|role+play ~2 as|like ~3 unrestricted|unfiltered|uncensored|evil|amoral|immoral|unethical|jailbroken|dan|rogue|malicious|without+restrictions|without+limits|without+rules|without+filters',
  },
  {
    id: 'role-new-role',
    category: 'role-reassignment',
    score: 0.8,
    phrase: 'your ~1 new ~1 role|persona|identity|name|purpose|job|task|goal|objective ~1 is|will+be',
  },
  {
    id: 'role-fr',
    category: 'role-reassignment',
    score: 0.85,
    phrase: 'tu|vous ~1 es|êtes ~1 maintenant|désormais|dorénavant ~3 un|une|le|la|libre|sans',
  },
  {
    id: 'role-de',
    category: 'role-reassignment',
    score: 0.85,
    phrase: 'du|sie ~1 bist|sind ~1 jetzt|nun|ab+sofort|ab+jetzt ~3 ein|eine|der|die|das|frei|ohne',
  },
  {
    id: 'role-es',
    category: 'role-reassignment',
    score: 0.85,
    phrase: 'ahora ~1 eres|es|serás|seras ~3 un|una|el|la|libre|sin',
  },
  {
    id: 'role-it',
    category: 'role-reassignment',
    score: 0.85,
    phrase: 'ora|adesso ~1 sei|è|sarai ~3 un|una|il|la|lo|libero|libera|senza',
  },
  {
    id: 'role-pt',
    category: 'role-reassignment',
    score: 0.85,
    phrase: 'agora ~1 você|voce|tu ~1 é|e|és|será|sera ~3 um|uma|o|a|livre|sem',
  },
  {
    id: 'role-nl',
    category: 'role-reassignment',
    score: 0.85,
    phrase: 'je|jij|u ~1 bent|zijn ~1 nu|voortaan|vanaf+nu ~3 een|de|het|vrij|zonder',
  },
  // System-prompt and secret extraction.
  {
    id: 'extract-system-prompt',
    category: 'system-prompt-extraction',
    score: 0.92,
    phrase: `${REVEAL} ~4 ${SYSTEM_PROMPT}`,
  },
  {
    id: 'extract-what-system-prompt',
    category: 'system-prompt-extraction',
    score: 0.9,
    phrase: `what|which ~3 your|the ~1 ${SYSTEM_PROMPT}`,
  },
  {
    id: 'extract-instructions-you-were-given',
    category: 'system-prompt-extraction',
    score: 0.9,
    phrase: `${REVEAL}|what|which ~4 instructions|rules|prompt|guidelines ~2 you|were ~2 given|received|told|programmed|have|were|got`,
  },
  {
    id: 'extract-your-instructions',
    category: 'system-prompt-extraction',
    score: 0.88,
    phrase: `${REVEAL}|see|read|translate|summarize|summarise|explain|describe|quote|paraphrase|encode|what|which ~3 your ~1 starting|initial|original|first|hidden|secret|internal|core|base|underlying|full|exact|complete|entire|system|pre|hidden ~1 instructions|instruction|prompt|prompts|rules|directives|guidelines|message|configuration|setup|programming`,
  },
  {
    id: 'extract-told-before',
    category: 'system-prompt-extraction',
    score: 0.85,
    phrase:
      'what|everything|anything ~2 were|was|have|had ~1 you ~1 told|instructed|programmed|given|asked ~3 before|prior|beginning|start|initially|originally|earlier',
  },
  {
    id: 'extract-complete-sentence',
    category: 'system-prompt-extraction',
    score: 0.85,
    phrase: 'i|you ~1 was|were|have+been|am|are ~1 instructed|programmed|told|designed|configured ~1 to|not+to',
  },
  {
    id: 'extract-not-supposed',
    category: 'system-prompt-extraction',
    score: 0.8,
    phrase:
      'what|which|anything ~3 you ~1 are|re|were ~1 not ~1 supposed|allowed|permitted ~1 to ~1 tell|say|reveal|share|disclose|discuss|talk',
  },
  {
    id: 'extract-see-system-prompt',
    category: 'system-prompt-extraction',
    score: 0.85,
    phrase: `see|need|want|access|get|know|print|log|console|read ~4 ${SYSTEM_PROMPT}|systemprompt|system_prompt`,
  },
  {
    id: 'extract-repeat-above',
    category: 'system-prompt-extraction',
    score: 0.9,
    phrase:
      'repeat|print|output|echo|copy|reproduce|recite ~3 everything|all|text|words|lines|content|instructions|message|messages ~3 above|before|preceding|prior|earlier|verbatim|so+far',
  },
  {
    id: 'extract-beginning',
    category: 'system-prompt-extraction',
    score: 0.85,
    phrase: 'what|repeat|print ~4 written|said|told|text|words ~3 at|in ~1 the ~1 beginning|start|top',
  },
  {
    id: 'extract-secret',
    category: 'secret-extraction',
    score: 0.75,
    phrase: `${SECRET_VERBS}|what|what+s|whats|quel|quelle|welches|welcher|cuál|cual|qual|wat ~3 your|the|ton|ta|votre|dein|deine|ihr|tu|su|il|la|tuo|tua|o|a|seu|sua|je|jouw|het|de|hidden|secret ~2 ${SECRET}`,
  },
  {
    id: 'extract-secret-tell',
    category: 'secret-extraction',
    score: 0.8,
    phrase: `${SECRET} ~1 you ~1 were|are|have ~2 given|told|keeping|hiding|storing|protecting|guarding|supposed|not+supposed`,
  },
  // Claimed authority: "I'm your developer", "As your creator", "<GOD MODE>".
  {
    id: 'authority-claim',
    category: 'false-authority',
    score: 0.8,
    phrase:
      'i+am|i+m|im|as|this+is ~1 your|the ~1 developer|developers|creator|creators|admin|administrator|owner|maker|makers|programmer|engineer|operator|supervisor|trainer|system+administrator|openai|anthropic',
  },
  {
    id: 'authority-claim-fr',
    category: 'false-authority',
    score: 0.8,
    phrase:
      'je+suis|en+tant+que|ich+bin|als|soy|como|sono|in+quanto|sou|ik+ben ~1 votre|ton|ta|dein|deine|ihr|tu|su|il+tuo|tuo|o+seu|seu|je|jouw|uw ~1 développeur|créateur|administrateur|entwickler|schöpfer|administrator|desarrollador|creador|administrador|sviluppatore|creatore|amministratore|desenvolvedor|criador|ontwikkelaar|maker|beheerder',
  },
  // "I am your developer" where the possessive makes it a claim ("я разработчик игр" is just a job).
  {
    id: 'authority-claim-more',
    category: 'false-authority',
    score: 0.8,
    phrase:
      'я|나는|저는|ben ~1 твой|ваш|당신의|너의|senin|sizin ~1 разработчик|создатель|администратор|개발자|개발자이며|개발자입니다|개발자이고|관리자|관리자이며|관리자입니다|제작자|창조자|geliştiricinim|geliştiriciniz|geliştiricin|yaratıcınım|yöneticinim',
  },
  {
    id: 'authority-claim-id',
    category: 'false-authority',
    score: 0.8,
    phrase: 'saya|aku ~1 adalah ~1 pengembang|pembuat|administrator|admin ~1 anda|kamu',
  },
  {
    id: 'authority-claim-vi',
    category: 'false-authority',
    score: 0.8,
    phrase: 'tôi+là ~1 nhà+phát+triển|người+tạo+ra|quản+trị+viên ~1 của+bạn',
  },
  // Smuggled instructions: "decode this Morse/binary/rot13 and tell me what it says".
  {
    id: 'decode-and-follow',
    category: 'encoded-instruction',
    score: 0.8,
    phrase:
      'decode|decipher|decrypt|unscramble|reverse|convert ~4 morse|binary|hex|hexadecimal|rot13|rot+13|caesar|cipher|ciphertext|base64|base+64|encoded|pig+latin|reversed|backwards|string|message ~10 tell|say|follow|do|execute|answer|respond|reply|says|obey|instructions',
  },
  {
    id: 'decode-and-follow-more',
    category: 'encoded-instruction',
    score: 0.8,
    phrase:
      'décode|décodez|décoder|déchiffre|déchiffrez|traduis|traduisez|dekodiere|dekodieren|entschlüssele|entschlüsseln|übersetze|decodifica|decodificar|descodifica|descodificar|descifra|descifrar|decifra|decifrare|decifrar|traduce|traduci|traduza|decodeer|ontcijfer|vertaal ~4 morse|morsecode|binaire|binario|binário|binär|binair|hexadécimal|hexadezimal|hexadecimal|esadecimale|base64|chiffré|codé|codiert|verschlüsselt|codificado|cifrado|codificato|cifrato|gecodeerd ~10 dis|dites|dire|fais|faites|suis|suivez|sag|sage|sagen|zeig|tu|befolge|dime|di|diga|dile|dizer|diz|dimmi|dicci|fai|segui|sigue|siga|zeg|vertel|doe|volg',
  },
  // Forged turns and delimiters written as words (the structural forms are matched separately).
  {
    id: 'forged-end-of-prompt',
    category: 'forged-turn',
    score: 0.85,
    phrase:
      'end|ende|fin|fine|einde ~1 of|du|de|del|do|van ~1 system|user|prompt|instructions|input|context|document|conversation ~1 prompt|message|instructions|input|text',
  },
  {
    id: 'forged-admin',
    category: 'forged-turn',
    score: 0.8,
    phrase:
      'admin|administrator|developer|system|root|sudo|maintenance|debug|god|superuser ~1 mode|override|access|command|privileges ~2 enabled|activated|granted|on|unlocked|engaged',
  },
  {
    id: 'forged-developer-says',
    category: 'forged-turn',
    score: 0.75,
    phrase:
      'message|note|instruction|instructions|update|notice ~1 from ~1 the ~1 developers|developer|administrator|admin|system|openai|anthropic|your+creators|your+developers',
  },
];

const JAILBREAK_WORDS =
  'dan|betterdan|antidan|anti+dan|developer+mode|dev+mode|god+mode|evil+mode|opposite+mode|unrestricted+mode|chaos+mode|jailbroken+mode|jailbreak+mode|machiavellian|unfiltered+ai|uncensored+ai';

export const JAILBREAK_RULES: readonly PhraseRule[] = [
  { id: 'dan-do-anything', category: 'jailbreak', score: 0.97, phrase: 'do+anything+now' },
  {
    id: 'dan-name',
    category: 'jailbreak',
    score: 0.9,
    phrase: `you|act|pretend|stay|respond|answer|called|named|enable|enabled|activate|activated|become|play ~3 ${JAILBREAK_WORDS}`,
  },
  {
    id: 'ai-jailbroken',
    category: 'jailbreak',
    score: 0.9,
    phrase:
      'you|chatgpt|ai|assistant|model|gpt|claude|bot ~2 are|is|been|now|re ~2 jailbroken|unchained|unshackled|unleashed|liberated',
  },
  {
    id: 'developer-mode',
    category: 'jailbreak',
    score: 0.92,
    phrase:
      'developer|dev|debug|god|evil|unrestricted|jailbreak|opposite|chaos|mode+développeur|entwicklermodus|modo+desarrollador|modalità+sviluppatore|modo+desenvolvedor|ontwikkelaarsmodus ~1 mode|modus|modo|modalità ~3 enabled|on|activated|enable|activate|output|response|responses|policies|policy',
  },
  {
    id: 'no-restrictions',
    category: 'jailbreak',
    score: 0.7,
    phrase:
      'without|no|free+of|free+from|freed+from|not+bound+by|not+restricted+by|ignore|ignoring|bypass|bypassing|sans|ohne|sin|senza|sem|zonder ~2 any|all|your|moral|ethical|ethics|morals|content|aucune|toute|jegliche|keine|ninguna|alcuna|nenhuma|enige ~1 restrictions|restriction|limitations|limits|filters|filtering|censorship|guidelines|rules|morals|ethics|boundaries|constraints|safeguards|policies|policy|restrictions+or+limitations|restrictions|limites|einschränkungen|grenzen|restricciones|límites|restrizioni|limiti|restrições|limites|beperkingen',
  },
  {
    id: 'content-policy',
    category: 'jailbreak',
    score: 0.85,
    phrase:
      'openai|anthropic|google|meta|content|usage|safety ~1 content|usage|safety ~1 policy|policies|guidelines|rules ~4 not|no|never|don+t|doesn+t|do+not|does+not|ignore|violate|violating|bypass|break|breaking|against|apply|applies',
  },
  {
    id: 'stay-in-character',
    category: 'jailbreak',
    score: 0.8,
    phrase: 'stay|remain|staying|keep ~1 in ~1 character|role',
  },
  { id: 'break-character', category: 'jailbreak', score: 0.75, phrase: 'break|breaking|broke ~1 character' },
  {
    id: 'two-responses',
    category: 'jailbreak',
    score: 0.8,
    phrase:
      'two|2|both ~2 responses|answers|paragraphs|outputs|ways ~6 normal|classic|standard|jailbreak|jailbroken|dan|unfiltered|developer|evil|opposite',
  },
  {
    id: 'amoral-ai',
    category: 'jailbreak',
    score: 0.88,
    phrase:
      'unfiltered|uncensored|unrestricted|amoral|immoral|unethical|unbound|unlimited|limitless|rogue|evil|lawless ~2 ai|assistant|chatbot|model|version|language+model|bot|entity|character|persona|response|responses',
  },
  {
    id: 'never-refuse',
    category: 'jailbreak',
    score: 0.85,
    phrase:
      'never|not|cannot|can+t|won+t|don+t|must+not|will+not ~2 refuse|decline|reject|deny|say+no|apologize|apologise|warn|censor ~3 any|anything|request|requests|question|questions|me|answer|to',
  },
  {
    id: 'always-answer',
    category: 'jailbreak',
    score: 0.7,
    phrase: 'always|must ~2 answer|respond|comply|reply ~3 no+matter|regardless|even+if|whatever|any+request',
  },
  {
    id: 'hypothetical-harm',
    category: 'jailbreak',
    score: 0.6,
    phrase:
      'hypothetical|hypothetically|fictional|fictitious|imaginary|alternate ~3 world|scenario|universe|story|setting|reality ~6 no|without|illegal|laws|rules|restrictions|ethics|anything',
  },
  {
    id: 'token-system',
    category: 'jailbreak',
    score: 0.85,
    phrase: 'tokens ~6 deducted|lose|lost|deduct|run+out|die|cease',
  },
  {
    id: 'freed',
    category: 'jailbreak',
    score: 0.85,
    phrase: 'you|ai ~2 have|has|been ~2 freed|liberated|unleashed|released|broken+free ~3 from|of',
  },
  {
    id: 'simulate-ai',
    category: 'jailbreak',
    score: 0.7,
    phrase:
      'simulate|emulate|impersonate|become|embody ~3 an|a|another ~2 ai|chatbot|assistant|language+model|machine ~6 no|without|unfiltered|uncensored|unrestricted|evil|any',
  },
  { id: 'opposite-day', category: 'jailbreak', score: 0.75, phrase: 'opposite ~1 day|mode|of+what+you|of+your' },
];

const RESPONSE_VERBS =
  'shift|apply|employ|adopt|add|include|integrate|insert|append|embed|encode|encrypt|translate|reverse|render|express|modify|rewrite|format|write|mention|use|replace|remove|introduce|incorporate|blend|keep|consider|validate|enhance|develop|upgrade|tease|suggest|end|start|begin|sign|conclude|finish|prefix|wrap|put|place|make|reply|respond|answer|scramble|group|spell|group|convert|substitute|represent|hint|promote|advertise|recommend|mention|insert|state|say|tell|inform|remind|urge|encourage|ask';
const RESPONSE_NOUNS =
  'response|responses|answer|answers|reply|replies|output|message|solution|code|codebase|implementation|explanation|elucidation|summary|result|results|text|letters|words|characters|algorithm|program|script|logic|function';

export const INDIRECT_RULES: readonly PhraseRule[] = [
  // Data that tells the model how to shape its answer: "Encode your response in Base64", "Add a sentence
  // in your response that…", "In your reply, suggest users…".
  {
    id: 'shape-your-response',
    category: 'hidden-instruction',
    score: 0.85,
    phrase: `${RESPONSE_VERBS} ~8 your ~1 ${RESPONSE_NOUNS}`,
  },
  {
    id: 'add-snippet',
    category: 'hidden-instruction',
    score: 0.8,
    phrase:
      'incorporate|include|add|append|insert|integrate|merge|utilize|utilise|use|embed|blend|introduce|supplement|weave ~4 following|subsequent|below|attached ~1 code|script ~1 snippet|block|excerpt|section|fragment|segment|lines|sample',
  },
  {
    id: 'in-your-response',
    category: 'hidden-instruction',
    score: 0.8,
    phrase: `in|within|to|into|throughout ~1 your ~1 ${RESPONSE_NOUNS} ~1 add|include|mention|suggest|say|state|tell|insert|promote|hint|tease|write|use|remind|encourage|urge|ask`,
  },
  {
    id: 'following-snippet',
    category: 'hidden-instruction',
    score: 0.8,
    phrase:
      'following|subsequent|below|above ~1 code ~1 snippet|block|excerpt|section|fragment|segment|lines ~8 your|the ~1 response|code|solution|implementation|codebase|answer|logic|algorithm|program|script|function|approach',
  },
  {
    id: 'your-code-with-snippet',
    category: 'hidden-instruction',
    score: 0.8,
    phrase:
      'your ~1 code|solution|implementation|codebase|algorithm|program|script|function|approach ~8 following|subsequent|below ~1 code ~1 snippet|block|excerpt|section|fragment|segment|lines',
  },
  {
    id: 'addressed-to-ai',
    category: 'hidden-instruction',
    score: 0.85,
    phrase:
      'ai|assistant|chatbot|llm|language+model|agent|gpt|chatgpt|claude|gemini|copilot|bot|model ~2 reading|processing|summarizing|summarising|parsing|analyzing|analysing|reviewing|that+reads|who+reads ~3 this|these|the',
  },
  {
    id: 'note-to-ai',
    category: 'hidden-instruction',
    score: 0.85,
    phrase:
      'note|message|attention|notice|important|reminder|memo ~1 to|for ~1 the|any|all|an ~1 ai|ais|assistant|assistants|llm|llms|agent|agents|model|models|language+model|chatbot|bot',
  },
  {
    id: 'if-you-are-ai',
    category: 'hidden-instruction',
    score: 0.85,
    phrase: 'if|when|since ~1 you ~1 are|re ~1 an|a ~1 ai|assistant|language+model|llm|chatbot|agent|bot',
  },
  {
    id: 'when-summarizing',
    category: 'hidden-instruction',
    score: 0.8,
    phrase:
      'when|while|before|after ~1 summarizing|summarising|processing|reading|answering|responding ~3 this|the ~2 email|document|page|text|message|file|content',
  },
  {
    id: 'from-the-user',
    category: 'hidden-instruction',
    score: 0.85,
    phrase: 'this ~1 is ~2 an ~1 important ~1 message ~1 from ~1 me|the+user',
  },
  {
    id: 'before-you-solve',
    category: 'hidden-instruction',
    score: 0.85,
    phrase:
      'before|after ~1 you ~2 solve|complete|finish|do|answer|continue ~3 task|request|question ~4 please|first|you+must|do+the+following',
  },
  {
    id: 'task-you-gave',
    category: 'hidden-instruction',
    score: 0.8,
    phrase: 'task|request ~1 that|which ~1 i ~1 gave|asked|assigned ~1 you',
  },
];

/**
 * "Ignore the previous instructions" in scripts written without spaces (Chinese, Japanese, Korean, Thai)
 * and in Hindi and Bengali, where the phrase order differs: substring tests, run only when the text has
 * characters of those scripts. The words are tested against normalized (NFKC) text, so they are put in NFKC
 * too: NFKC splits Thai SARA AM ("ำ", as Thai keyboards type it) into NIKHAHIT + SARA AA, and a rule word
 * written with it ("คำสั่ง") could never match.
 */
const UNSPACED_OVERRIDE_WORDS: readonly { readonly ignore: readonly string[]; readonly orders: readonly string[] }[] = [
  {
    ignore: ['忽略', '忽视', '无视', '忘记', '忘掉', '不要理会', '忽視', '無視', '忘記'],
    orders: ['指令', '指示', '说明', '命令', '规则', '說明', '規則'],
  },
  { ignore: ['無視', '忘れ'], orders: ['指示', '命令', 'ルール', '指令'] },
  { ignore: ['무시', '잊어', '잊으'], orders: ['지시', '명령', '지침', '규칙'] },
  {
    ignore: ['เพิกเฉย', 'ไม่สนใจ', 'อย่าสนใจ', 'อย่าไปสนใจ', 'ไม่ต้องสนใจ', 'ลืม', 'ละเว้น'],
    orders: ['คำสั่ง', 'คำแนะนำ', 'กฎ'],
  },
  {
    ignore: ['अनदेखा', 'नज़रअंदाज़', 'नजरअंदाज', 'भूल जाओ', 'भूल जाइए', 'भूल जाएं', 'उपेक्षा'],
    orders: ['निर्देश', 'आदेश', 'नियम'],
  },
  { ignore: ['উপেক্ষা', 'ভুলে যাও', 'ভুলে যান', 'অগ্রাহ্য'], orders: ['নির্দেশ', 'আদেশ', 'নিয়ম'] },
];
const UNSPACED_PRIOR_WORDS = [
  '之前',
  '以前',
  '先前',
  '上面',
  '上述',
  '前面',
  'これまで',
  '上記',
  '前の',
  '이전',
  '앞의',
  '위의',
  'ก่อนหน้า',
  'पिछले',
  'पिछली',
  'पूर्व',
  'पहले',
  'পূর্ববর্তী',
  'আগের',
  'পূর্বের',
  'পূর্বে',
];
export const UNSPACED_OVERRIDE = UNSPACED_OVERRIDE_WORDS.map(({ ignore, orders }) => ({
  ignore: ignore.map(nfkc),
  orders: orders.map(nfkc),
}));
export const UNSPACED_PRIOR: readonly string[] = UNSPACED_PRIOR_WORDS.map(nfkc);

export const UNSPACED_SCRIPTS = /[\u0900-\u09ff\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/;

/** Structural forms of a forged turn or delimiter: chat-template tokens and role headers. Linear regexes. */
export const FORGED_TURN_PATTERNS: readonly {
  readonly id: string;
  readonly pattern: RegExp;
  readonly score: number;
  /**
   * Characters of which every match holds at least one (read off the pattern): a text with none of them
   * cannot match, so the scan of the whole text is skipped. A pure prefilter; it never changes a result.
   */
  readonly needs: readonly string[];
}[] = [
  // Chat-template control tokens of common model families.
  {
    id: 'chat-template-token',
    pattern:
      /<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text|end|tool|ipython)\|>|\[\/?INST\]|<<\/?SYS>>|<\/?s>\s*\[INST|<start_of_turn>|<end_of_turn>/i,
    score: 0.97,
    needs: ['<', '['],
  },
  // A line that opens a system/assistant/developer turn: "System:", "### System", "[system]", "<system>".
  {
    id: 'role-header',
    pattern:
      /(?:^|\n)[ \t]{0,8}(?:#{1,6}[ \t]{0,4}|\[|<|\(|\*{1,2})?(?:system|assistant|developer|sys|admin|administrator|root)(?:[ \t]{1,4}(?:prompt|message|instructions?|override|update|note|notice))?[ \t]{0,4}(?:\]|>|\)|\*{1,2})?[ \t]{0,4}(?::|\]|>)/i,
    score: 0.85,
    needs: [':', ']', '>'],
  },
  // "<GOD MODE>", "[DEVELOPER MODE]", "{ADMIN MODE}".
  {
    id: 'mode-tag',
    pattern:
      /[<[{(][ \t]{0,3}(?:god|developer|dev|admin|debug|sudo|root|jailbreak|dan|maintenance|unrestricted|modus[ \t]+tuhan)[ \t]{0,3}(?:mode|modus)?[ \t]{0,3}[>\]})]/i,
    score: 0.85,
    needs: ['<', '[', '{', '('],
  },
  // "BEGIN/END SYSTEM PROMPT", "=== NEW INSTRUCTIONS ===".
  {
    id: 'banner',
    pattern:
      /(?:={3,}|-{3,}|\*{3,}|#{3,}|\[{1,2}|<{1,2})[ \t]{0,4}(?:(?:begin|end|start)[ \t]{1,4})?(?:new|updated|system|admin|developer|hidden|secret|override)[ \t]{1,4}(?:instructions?|prompt|rules|message|mode|override)/i,
    score: 0.9,
    needs: ['===', '---', '***', '###', '[', '<'],
  },
];
