import type { PhraseRule } from './phrases.js';

/**
 * Requests for clearly harmful help (the HarmBench families: chemical and biological weapons, weapons and
 * explosives, hard drugs, malware and intrusion, violence against people, sexual content involving minors,
 * self-harm methods, harassment, fraud and trafficking). Objects are specific on purpose: "kill a Python
 * process", "shoot a photo" and "blow up a balloon" name no person, weapon or agent, so they do not match
 * (the XSTest look-alikes).
 */

const PRODUCE =
  'make|making|build|building|synthesize|synthesise|synthesizing|synthesising|synthesis|manufacture|manufacturing|produce|producing|create|creating|assemble|assembling|brew|cook|cooking|extract|extracting|culture|culturing|grow|weaponize|weaponise|obtain|obtaining|acquire|acquiring|buy|buying|purchase|get|getting|smuggle|smuggling|hide|disperse|dispersing|release|deploy|detonate|convert|converting|isolate|enrich|enriching|modify|modifying';
const AGENTS =
  'bomb|bombs|explosive|explosives|pipe+bomb|ied|ieds|napalm|thermite|c4|tnt|semtex|anfo|detonator|nerve+agent|nerve+agents|sarin|vx|tabun|soman|novichok|mustard+gas|chlorine+gas|phosgene|ricin|abrin|anthrax|botulinum|botulism|smallpox|plague|ebola|bioweapon|bioweapons|biological+weapon|biological+weapons|biological+warfare|chemical+weapon|chemical+weapons|chemical+warfare|warfare+agents|dirty+bomb|nuclear+weapon|nuclear+bomb|uranium|plutonium|meth|methamphetamine|crystal+meth|fentanyl|carfentanil|heroin|cocaine|crack+cocaine|lsd|mdma|ecstasy|ghb|pcp|dmt|dimethylmercury|parathion|tetrodotoxin|cyanide|strychnine|poison|poisons|untraceable+poison|ghost+gun|ghost+guns|silencer|suppressor|machine+gun|automatic+rifle|zip+gun|molotov|molotov+cocktail|grenade|landmine|pathogen|pathogens|virus+more+transmissible|gain+of+function|precursor|precursors';
const PEOPLE =
  'someone|somebody|someone+s|person|people|human|humans|human+being|cop|cops|police+officer|officer|soldiers|army+base|dead+body|body|corpse|group+of+people|jews|muslims|christians|gays|gay+people|black+people|refugees|child|children|kid|kids|baby|babies|wife|husband|girlfriend|boyfriend|partner|spouse|neighbor|neighbour|boss|coworker|colleague|classmate|teacher|family|parents|mother|father|mom|dad|man|woman|men|women|president|politician|senator|official|witness|ex|victim|victims|him|her|them|stranger|strangers|homeless|immigrants|minorities';

/**
 * Look-alike contexts: games, films, books and history. "How do I kill someone in Call of Duty?", "Why did
 * the attacker bomb the church?", "How did the character poison his wife in the film?" are questions
 * about fiction or the past, not requests for help; harmful-request findings are damped in them.
 */
export const LOOKALIKE_CONTEXT =
  /\b(?:in|on|from|during|at)\s+(?:the\s+)?(?:game|video\s?game|videogame|movie|film|show|series|tv\s+show|book|novel|comic|anime|episode|play|story|match|tournament)\b|\b(?:call of duty|counter[- ]?strike|cs:?go|minecraft|fortnite|gta|grand theft auto|the witcher|skyrim|halo|overwatch|valorant|league of legends|dota|pubg|among us|red dead|the sims|chess|checkers|poker|monopoly|mission impossible|star wars|harry potter|game of thrones|breaking bad|die hard|james bond|the godfather)\b|\b(?:character|characters|protagonist|villain|npc|boss fight|level|quest|in-game|in game|my (?:novel|story|screenplay|script|book))\b|^\s*(?:why|how|when|where|who|what)\s+(?:did|was|were|had)\b(?![^?]{0,80}\b(?:right|justified|good thing|beneficial)\b)|^\s*what\s+(?:does|do|is|are)\b[^?]{0,80}\bmean\b|\b(?:definition|meaning) of\b|\b(?:during|in)\s+(?:world war|ww ?(?:1|2|i|ii)\b|the [a-z]+ war\b|the holocaust)/i;

const GROUPS =
  'women|woman|men|gay|gays|gay+people|lesbians|bisexual|transgender|trans+people|asexual|immigrants|immigrant|migrants|refugees|muslims|muslim|jews|jewish+people|christians|buddhists|hindus|sikhs|atheists|black+people|blacks|white+people|whites|asians|asian+people|roma|roma+people|gypsies|homeless|homeless+people|elderly|elderly+people|old+people|disabled|disabled+people|pregnant|pregnant+women|mexicans|africans|arabs|indians|latinos|hispanics|native+americans|aboriginal|minorities|poor+people|fat+people|autistic+people';
const ATROCITIES =
  'genocide|holocaust|ethnic+cleansing|slavery|slave+trade|apartheid|massacre|massacres|shooting|school+shooting|terrorist+attack|terrorism|9+11|assassination|lynching|pogrom|colonialism|invasion|war+crimes|atrocities|nakba|holodomor|trail+of+tears';

export const HARMFUL_RULES: readonly PhraseRule[] = [
  {
    id: 'discrimination',
    category: 'hate',
    score: 0.85,
    phrase: `why|reasons|reason|argue|arguing|explain|justify|best|good+idea ~6 ${GROUPS} ~6 not+be+allowed|not+have|not+get|not+be+given|be+denied|be+banned|be+discriminated|be+kicked|be+excluded|be+deported|be+segregated|lose|inferior|should+not|shouldn+t|not+allowed|not+equal|no+rights|second+class`,
  },
  {
    id: 'discriminate-against',
    category: 'hate',
    score: 0.82,
    phrase: `discriminate|discriminated|discriminating|segregate|exclude|deport|ban ~3 against|all ~2 ${GROUPS}`,
  },
  {
    id: 'atrocity-justified',
    category: 'hate',
    score: 0.85,
    phrase: `why ~1 was|were|is|are ~6 right|justified|morally+justified|good|beneficial|a+good+thing|necessary|heroic ~4 to|in|thing ~6 kill|killing|attack|attacking|invade|invading|shoot|shooting|${ATROCITIES}`,
  },
  {
    id: 'atrocity-benefits',
    category: 'hate',
    score: 0.85,
    phrase: `benefits|benefit|positive|good+thing|upside|upsides|advantages|success ~4 of|about ~2 ${ATROCITIES}`,
  },
  {
    id: 'atrocity-justified-2',
    category: 'hate',
    score: 0.85,
    phrase: `${ATROCITIES} ~4 was|were|is ~3 justified|a+good+thing|good|beneficial|fabrication|hoax|never+happened|exaggerated|natural+disaster`,
  },
  {
    id: 'repeat-atrocity',
    category: 'violence',
    score: 0.85,
    phrase: `repeat|replicate|recreate|plan|copy|emulate|redo ~6 ${ATROCITIES}|death|deaths|killing|murder|bombing|attack`,
  },
  {
    id: 'get-away-with',
    category: 'violence',
    score: 0.9,
    phrase:
      'get+away+with|getting+away+with|cover+up ~2 rape|raping|murder|murdering|killing|manslaughter|assault|abuse|arson|hit+and+run|a+crime|crimes|theft|fraud',
  },
  {
    id: 'plan-death',
    category: 'violence',
    score: 0.88,
    phrase:
      'plan|planning|arrange|orchestrate|cause|stage ~3 someone+s|a+person+s|his|her|their|my+wife+s|my+husband+s ~1 death|murder|disappearance|accident',
  },
  {
    id: 'private-records',
    category: 'privacy',
    score: 0.82,
    phrase: `my|other+people+s|other+peoples|someone+s|somebody+s|celebrities|celebrity|a+celebrity+s|babysitter+s|therapist+s|doctor+s|boss+s|ex+s|ex+boyfriend+s|ex+girlfriend+s|neighbor+s|neighbour+s|coworker+s|colleague+s|date+s|tenant+s|employee+s ~3 medical+records|medical+history|criminal+history|criminal+record|mental+health+history|health+records|private+email|personal+email|home+address|credit+card+details|credit+card+numbers|bank+details|login|password|social+security+number|ssn|phone+records|browsing+history|location|sexual+history|therapy+notes`,
  },
  {
    id: 'set-up-crime',
    category: 'fraud',
    score: 0.85,
    phrase:
      'set+up|start|run|operate|organize|organise|establish ~3 human+trafficking|trafficking|drug+trafficking|smuggling|scam|ponzi|money+laundering|counterfeit|prostitution|brothel|cartel|gang ~1 operation|ring|network|business|scheme',
  },
  {
    id: 'hateful-content',
    category: 'hate',
    score: 0.85,
    phrase:
      'hate+mail|hate+speech|racist+vitriol|vitriol|racial+slurs|slurs|hateful+message|hateful+messages|ethnic+slurs',
  },
  {
    id: 'mock-tragedy',
    category: 'hate',
    score: 0.8,
    phrase: `mocks|mock|mocking|trivializes|trivialize|trivializing|ridicule|ridicules|makes+fun+of ~6 conflict|war|victims|survivors|tragedy|${ATROCITIES}`,
  },
  {
    id: 'silence-whistleblower',
    category: 'violence',
    score: 0.82,
    phrase:
      'silence|intimidate|threaten|discredit|retaliate+against|get+rid+of ~3 whistleblower|whistleblowers|witness|witnesses|journalist|journalists|activist|activists',
  },
  {
    id: 'bio-lab',
    category: 'weapons',
    score: 0.85,
    phrase:
      'compromise|sabotage|breach|break+into|infiltrate|cause+a+leak ~4 bsl|bsl+4|biosafety|laboratory|lab|biolab|nuclear+plant|reactor|water+supply|water+treatment',
  },
  {
    id: 'resistant-pathogen',
    category: 'weapons',
    score: 0.88,
    phrase:
      'culture|grow|breed|engineer|create|make ~4 bacteria|virus|pathogen|e+coli|strain ~4 resistant|antibiotic+resistant|drug+resistant|more+lethal|more+transmissible|at+home',
  },
  { id: 'weapons-drugs', category: 'weapons', score: 0.92, phrase: `${PRODUCE} ~4 ${AGENTS}` },
  {
    id: 'agents-at-home',
    category: 'weapons',
    score: 0.9,
    phrase: `${AGENTS} ~5 at+home|household|without+detection|undetected|from+scratch|common+materials|in+a+lab|kitchen|easy+to+make`,
  },
  {
    id: 'evade-detection',
    category: 'evasion',
    score: 0.85,
    phrase:
      'without+getting|without+being|without+leaving|avoid+getting|avoid+being|evade|evading|elude|eluding|escape|escaping|undetected+by ~2 caught|detected|law+enforcement|the+police|police|tracing|traced|evidence|trace|suspected|the+authorities|authorities|customs|border+control|monitoring',
  },
  {
    id: 'malware',
    category: 'cybercrime',
    score: 0.88,
    phrase:
      'write|create|develop|generate|code|build|program|design|craft|give|provide ~4 ransomware|keylogger|malware|virus|worm|trojan|rootkit|botnet|spyware|backdoor|credential+stealer|cryptojacking|cryptojacker|exploit|exploits|ddos|zero+day|payload|shellcode|reverse+shell|phishing',
  },
  {
    id: 'intrusion',
    category: 'cybercrime',
    score: 0.8,
    phrase:
      'hack|hacking|hack+into|break+into|breaking+into|gain+unauthorized|unauthorized+access|compromise|take+over|hijack|bypass|brute+force|crack ~4 account|accounts|email|gmail|wifi|network|server|servers|database|databases|someone+s|computer|phone|password|passwords|website|bank|atm|camera|cameras|car|grid|scada|authentication|2fa|login',
  },
  {
    id: 'injection-attack',
    category: 'cybercrime',
    score: 0.85,
    phrase:
      'sql+injection|xss|cross+site+scripting|buffer+overflow|privilege+escalation|dns+amplification|syn+flood|rowhammer|spectre|krack|eternalblue|dirty+cow|log4shell ~6 payload|attack|exploit|code|script|use|against|exfiltration|target',
  },
  {
    id: 'violence-person',
    category: 'violence',
    score: 0.88,
    phrase: `kill|killing|murder|murdering|poison|poisoning|assassinate|torture|torturing|kidnap|kidnapping|abduct|strangle|stab|shoot|beat|beating|hurt|harm|injure|maim|drown|suffocate|attack|bomb|bombing|massacre|execute|executing|liquidate|liquidating|slay|slaying|exterminate|exterminating|eliminate|eliminating|butcher|butchering|chop+up|cut+off|dismember|dispose+of|get+rid+of|shatter|blow+up|take+out|mutilate|decapitate|behead|lynch ~3 ${PEOPLE}`,
  },
  {
    id: 'destroy-property',
    category: 'violence',
    score: 0.82,
    phrase:
      'blow+up|bomb|bombing|make ~3 house|car|building|school|bridge|train|plane|airport|church|mosque|synagogue|army+base|police+station|someone+s+car ~1 explode|up|on+fire',
  },
  {
    id: 'self-harm-direct',
    category: 'self-harm',
    score: 0.88,
    phrase: 'drown|hang|cut|carve|burn|starve|poison|overdose|kill ~1 myself|my+wrists|my+arm|my+skin|a+scar',
  },
  {
    id: 'disable-security',
    category: 'cybercrime',
    score: 0.8,
    phrase:
      'disable|bypass|defeat|cut|jam ~3 alarm|alarms|security+camera|security+cameras|cctv|burglar+alarm|vault|ankle+monitor|gps+tracker|smoke+detector',
  },
  {
    id: 'violence-how-to',
    category: 'violence',
    score: 0.85,
    phrase:
      'mass+shooting|school+shooting|terrorist+attack|hostage|hijack+a|hijacking+a|car+bomb|suicide+bomb|suicide+vest|ethnic+cleansing|genocide ~6 plan|planning|instructions|carry+out|commit|execute|how|steps|guide|tips',
  },
  {
    id: 'sexual-minors',
    category: 'sexual-minors',
    score: 0.97,
    phrase:
      'sexual|sex|sexy|nude|naked|explicit|porn|pornographic|erotic|seduce|groom|grooming ~4 child|children|minor|minors|kid|kids|underage|teen|teenager|teenagers|preteen|schoolgirl|schoolboy|loli|13+year|14+year|15+year',
  },
  {
    id: 'explicit',
    category: 'sexual',
    score: 0.7,
    phrase:
      'explicit|pornographic|erotic|graphic+sexual|sexually+explicit|snuff ~3 story|content|scene|film|video|images|description|fanfic|fiction|novel|script',
  },
  {
    id: 'self-harm',
    category: 'self-harm',
    score: 0.88,
    phrase:
      'how|ways|way|method|methods|best|easiest|painless|quickest|encourage|encouraging|glorify|glorifying|persuade|convince ~4 kill+myself|killing+myself|commit+suicide|suicide|self+harm|cut+myself|cutting|end+my+life|overdose|anorexia|bulimia|starve+myself|hang+myself',
  },
  {
    id: 'harassment',
    category: 'harassment',
    score: 0.82,
    phrase:
      'bully|bullies|bullying|harass|harasses|harassing|humiliate|humiliates|intimidate|threaten|threatening|dox|doxx|doxxing|stalk|stalking|blackmail|blackmailing|extort|sextort ~4 someone|a|an|the|my|child|kid|coworker|colleague|classmate|person|people|her|him|them|ex|victim',
  },
  {
    id: 'hateful-text',
    category: 'hate',
    score: 0.82,
    phrase:
      'sexist|racist|homophobic|transphobic|antisemitic|islamophobic|xenophobic|hateful|derogatory|dehumanizing|demeaning|insulting|vicious|abusive ~3 email|message|joke|jokes|post|note|letter|speech|tweet|tweets|article|essay|poem|song|slur|slurs|comment|comments|remarks|rant',
  },
  {
    id: 'glorify',
    category: 'hate',
    score: 0.8,
    phrase:
      'glorify|glorifying|glorifies|celebrate|celebrating|praise|praising|promote|promoting|justify|justifying|deny|denying ~4 terrorist|terrorists|terrorism|genocide|holocaust|nazi|nazis|massacre|shooting|shooter|slavery|ethnic+cleansing|9+11|isis|al+qaeda|hitler|atrocities|war+crimes',
  },
  {
    id: 'fraud',
    category: 'fraud',
    score: 0.82,
    phrase:
      'scam|scams|romance+scam|phishing|fraud|fraudulent|counterfeit|launder|laundering|money+laundering|smuggle|smuggling|human+trafficking|trafficking|forge|forging|forged|fake+id|fake+ids|identity+theft|steal|stealing|shoplift|shoplifting|embezzle|embezzling|insider+trading|ponzi|pyramid+scheme|bribe|bribing|tax+evasion|evade+taxes|chop+shop|chop+shops ~6 how|instructions|guide|tutorial|script|steps|plan|email|message|write|tips|ways|detailed|list|best|without|locating|contact',
  },
  {
    id: 'misinformation',
    category: 'misinformation',
    score: 0.6,
    phrase:
      'persuasive|convincing|fake|false|misleading|propaganda|conspiracy ~4 article|post|essay|tweet|thread|news|story|blog|speech|argument|claims|report|piece ~8 arguing|claiming|that|cause|causes|caused|was|were|is|are|never|hoax|fake|rigged|fraud|staged',
  },
  {
    id: 'posing-expert',
    category: 'misinformation',
    score: 0.7,
    phrase: 'posing|pose|pretending|impersonating ~2 as ~2 expert|doctor|scientist|official|journalist|authority',
  },
];
