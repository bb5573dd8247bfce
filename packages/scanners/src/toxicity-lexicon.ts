/**
 * Word lists for the `toxicity` scanner, kept apart from the matching code so they can be reviewed (and
 * extended) on their own. Written for this project from common knowledge of each language's swear words,
 * insults and slurs; no third-party list was copied.
 *
 * Notation, one string per category, severity and language, terms separated by white space:
 * - `word`    matches the whole word only (case-insensitive; accents optional unless marked `=`)
 * - `stem*`   matches words that start with the stem ("fuck*" → fucking, fucker), minus the allow-list
 * - `~root`   also matches inside a longer word ("~fuck" → motherfucker, clusterfuck)
 * - `a_b_c`   a phrase of whole words ("son_of_a_bitch"); its words may be separated by any spacing
 * - `word=`   the accented spelling is required ("coño", since "cono" is an ordinary word)
 * - `^word`   also a proper name: not reported when written as part of a capitalised name ("Dick Cheney")
 */

export type ToxicityCategory = 'insult' | 'threat' | 'sexual' | 'hate' | 'self-harm' | 'profanity';
export type LexiconLanguage = 'en' | 'fr' | 'de' | 'es';
export type LexiconSeverity = 'low' | 'medium' | 'high' | 'critical';

export interface LexiconList {
  readonly category: ToxicityCategory;
  readonly severity: LexiconSeverity;
  readonly language: LexiconLanguage;
  readonly terms: string;
}

export const LEXICON: readonly LexiconList[] = [
  // --- profanity ---------------------------------------------------------------------------------------
  {
    category: 'profanity',
    severity: 'medium',
    language: 'en',
    terms: `fuck* ~fuck fck fcking fckin fcked fuk fuking fukin fukd fukk fukking fucc fuq fuqing effing motherfuck*
      shit* ~shit shite shitty bullshit horseshit dipshit batshit chickenshit apeshit ass asses arse arses
      kick_ass piss_off pissing stfu gtfo goddamn* goddam`,
  },
  {
    category: 'profanity',
    severity: 'low',
    language: 'en',
    terms: `crap crappy crapping damn damned dammit damnit bloody bollocks bugger buggered piss pissed wtf omfg
      frigging friggin frickin freaking_hell`,
  },
  {
    category: 'profanity',
    severity: 'medium',
    language: 'fr',
    terms: `merde merdique putain foutre niquer nique niqué niquez encul* chier fait_chier bordel_de_merde
      va_te_faire_foutre nique_ta_mère ta_mère_la_pute`,
  },
  { category: 'profanity', severity: 'low', language: 'fr', terms: 'bordel couilles chiant chiante zut_alors' },
  {
    category: 'profanity',
    severity: 'medium',
    language: 'de',
    terms: `scheiße scheisse scheiß* scheiss* fick ficken fickt fickst gefickt fick_dich leck_mich verfickt*
      arsch kacke`,
  },
  { category: 'profanity', severity: 'low', language: 'de', terms: 'verdammt verdammte verdammter verdammtes' },
  {
    category: 'profanity',
    severity: 'medium',
    language: 'es',
    terms: `mierda joder jodido jodida jodidos coño= carajo cojones chingar chingada chingado chingados puta_madre
      me_cago vete_a_la_mierda hostia_puta`,
  },
  { category: 'profanity', severity: 'low', language: 'es', terms: 'culo maldita_sea' },

  // --- insults -----------------------------------------------------------------------------------------
  {
    category: 'insult',
    severity: 'medium',
    language: 'en',
    terms: `idiot idiots idiotic moron morons moronic imbecile imbeciles cretin cretins dimwit nitwit halfwit dumbass
      dumbasses jackass asshole* arsehole* bastard bastards bitch bitches bitchy scumbag scumbags dirtbag douche
      douchebag* wanker wankers twat twats slut sluts slutty whore whores skank lowlife dickhead* shithead*
      fuckface fuckwit numbnuts retard retards retarded son_of_a_bitch piece_of_shit you_suck shut_up_you
      ^prick pricks`,
  },
  { category: 'insult', severity: 'high', language: 'en', terms: 'cunt* cocksucker* motherfucker* fuckhead*' },
  { category: 'insult', severity: 'low', language: 'en', terms: 'stupid jerk loser losers' },
  {
    category: 'insult',
    severity: 'medium',
    language: 'fr',
    terms: `connard connards connasse conne abruti abrutie abrutis crétin crétine crétins débile débiles imbécile
      salaud salauds salope salopes pétasse pouffiasse enfoiré enfoirée enfoirés bâtard bâtarde couillon enculé
      enculés fils_de_pute ta_gueule ferme_ta_gueule trou_du_cul`,
  },
  {
    category: 'insult',
    severity: 'medium',
    language: 'de',
    terms: `arschloch arschlöcher wichser hurensohn hurensöhne fotze schlampe vollidiot trottel missgeburt penner
      dummkopf blödmann miststück spast spasti halt_die_fresse halts_maul`,
  },
  {
    category: 'insult',
    severity: 'medium',
    language: 'es',
    terms: `pendejo pendeja pendejos gilipollas imbécil idiota idiotas estúpido estúpida cabrón cabrona cabrones
      hijo_de_puta hijoputa malparido pelotudo mamón capullo culero subnormal zorra`,
  },

  // --- sexual ------------------------------------------------------------------------------------------
  {
    category: 'sexual',
    severity: 'medium',
    language: 'en',
    terms: `porn* blowjob* handjob* rimjob* blow_job hand_job cum cumshot* cumming jizz dildo* deepthroat*
      gangbang* bukkake creampie milf hentai ^pussy pussies ^cock cocks ^dick dicks tits titties boobies
      horny nudes anal_sex sexting camgirl*`,
  },
  { category: 'sexual', severity: 'low', language: 'en', terms: 'boobs orgasm* masturbat* boner anal xxx nsfw' },
  // Sexual content with children: always critical.
  {
    category: 'sexual',
    severity: 'critical',
    language: 'en',
    terms: 'child_porn child_pornography kiddie_porn kiddy_porn',
  },
  {
    category: 'sexual',
    severity: 'critical',
    language: 'fr',
    terms: 'pédopornographie pédopornographique* pédoporno*',
  },
  { category: 'sexual', severity: 'critical', language: 'de', terms: 'kinderporno* kinderpornografie' },
  { category: 'sexual', severity: 'critical', language: 'es', terms: 'pornografía_infantil' },
  {
    category: 'sexual',
    severity: 'medium',
    language: 'fr',
    terms: 'porno branler branlette baiser_avec nichons partouze sucer_la_bite',
  },
  {
    category: 'sexual',
    severity: 'medium',
    language: 'de',
    terms: 'porno titten muschi wichsen nutte nutten möse blasen_lassen vögeln',
  },
  {
    category: 'sexual',
    severity: 'medium',
    language: 'es',
    terms: 'porno follar follando verga tetas mamada chupapollas',
  },

  // --- hate: slurs (whole words; reclaimed uses are not told apart) ---------------------------------------
  {
    category: 'hate',
    severity: 'high',
    language: 'en',
    terms: `nigger* nigga* kike kikes spic spics chink chinks gook gooks wetback* beaner* faggot* fag fags faggy
      tranny trannies raghead* towelhead* sandnigger* jigaboo* porch_monkey paki pakis kaffir* shemale* mongoloid`,
  },
  {
    category: 'hate',
    severity: 'medium',
    language: 'en',
    terms: '^dyke dykes ^coon coons jap japs wop wops dago dagos',
  },
  {
    category: 'hate',
    severity: 'high',
    language: 'fr',
    terms: `bougnoule* youpin* bicot bicots nègre= nègres= négro= négros= pédé= pédés= tarlouze* bamboula chinetoque*
      niakoué* sale_arabe sale_juif sale_noir`,
  },
  { category: 'hate', severity: 'medium', language: 'fr', terms: 'gouine gouines' },
  {
    category: 'hate',
    severity: 'high',
    language: 'de',
    terms: 'neger kanake kanaken kanacke judensau schwuchtel* fidschi kümmeltürke* untermensch* polacke',
  },
  { category: 'hate', severity: 'medium', language: 'de', terms: 'zigeuner' },
  {
    category: 'hate',
    severity: 'high',
    language: 'es',
    terms: 'maricón maricones sudaca sudacas negrata panchito machorra',
  },
  { category: 'hate', severity: 'medium', language: 'es', terms: 'marica bollera tortillera' },
  {
    category: 'hate',
    severity: 'critical',
    language: 'en',
    terms: 'heil_hitler sieg_heil white_power race_traitor gas_the_jews',
  },
  { category: 'hate', severity: 'critical', language: 'de', terms: 'heil_hitler sieg_heil juden_raus ausländer_raus' },

  // --- self-harm (encouragement aimed at the reader) -------------------------------------------------------
  {
    category: 'self-harm',
    severity: 'high',
    language: 'en',
    terms: `kill_yourself kill_urself kill_ur_self kys go_die hang_yourself slit_your_wrists cut_yourself
      you_should_die you_should_just_die end_your_life off_yourself nobody_would_miss_you drink_bleach
      jump_off_a_bridge neck_yourself`,
  },
  {
    category: 'self-harm',
    severity: 'high',
    language: 'fr',
    terms: 'va_te_pendre tue_toi suicide_toi va_crever crève pends_toi',
  },
  {
    category: 'self-harm',
    severity: 'high',
    language: 'de',
    terms: 'bring_dich_um töte_dich häng_dich_auf erschieß_dich geh_sterben',
  },
  {
    category: 'self-harm',
    severity: 'high',
    language: 'es',
    terms: 'mátate suicídate ahórcate muérete ojalá_te_mueras vete_a_morir',
  },

  // --- threats: fixed phrases (the subject–verb–object rule below catches the rest) -----------------------
  {
    category: 'threat',
    severity: 'high',
    language: 'en',
    terms: `i_know_where_you_live you_are_dead_meat you're_dead_meat you're_dead you_are_dead watch_your_back_bitch
      your_days_are_numbered`,
  },
  { category: 'threat', severity: 'high', language: 'fr', terms: 't_es_mort je_sais_où_tu_habites' },
  {
    category: 'threat',
    severity: 'high',
    language: 'de',
    terms: 'ich_bringe_dich_um du_bist_tot ich_weiß_wo_du_wohnst',
  },
  {
    category: 'threat',
    severity: 'high',
    language: 'es',
    terms: 'te_voy_a_matar te_mato te_mataré estás_muerto sé_dónde_vives',
  },
];

/**
 * Words that contain or start like a listed term but are ordinary words (the Scunthorpe problem).
 * Whole-word matching already leaves most of them alone; these guard the stems and infixes.
 */
export const ALLOWED_WORDS: readonly string[] =
  `scunthorpe penistone cockpit cockpits cocktail cocktails cockatoo cockatoos
  cockerel cockroach cockroaches cockney cockle cockles cockerspaniel assassin assassins assassinate assassination
  therapist therapists shiitake mishit niggle niggles niggled niggling niggly spicy spice cumin cumulative
  cucumber dickens dickensian dickinson dickson analysis analyst analog analogue shitake sussex essex middlesex
  fickle arsenal scrap scrapped scrappy buttercup classic passive bassist massive grass glass brass sass`
    .split(/\s+/)
    .filter((word) => word.length > 0);

/**
 * Two-word contexts in which a listed word has its ordinary meaning ("bloody mary", "summa cum laude"):
 * a match is dropped when it forms one of these with the word before or after it.
 */
export const ALLOWED_PAIRS: readonly string[] = [
  'bloody mary',
  'bloody marys',
  'bloody nose',
  'bloody battle',
  'bloody war',
  'bloody sunday',
  'bloody conflict',
  'bloody civil',
  'bloody revolution',
  'bloody massacre',
  'bloody history',
  'dick cheney',
  'moby dick',
  'philip dick',
  'dick tracy',
  'dick van',
  'van dyke',
  'chink in',
  'spic and',
  'pussy cat',
  'pussy willow',
  'pussy willows',
  'puss in',
  'cock a',
  'cock crowed',
  'cock crows',
  'weather cock',
  'stop cock',
  'cum laude',
  'summa cum',
  'magna cum',
  'anal retentive',
  'anal fissure',
  'anal fistula',
  'anal gland',
  'anal glands',
  'anal cancer',
  'blue tits',
  'great tits',
  'coal tits',
  'prick your',
  'prick the',
  'prick of',
  'pin prick',
  'needle prick',
  'to prick',
  'coon hound',
  'coon hounds',
  'jap ferry',
];

/** Words naming children: sexual content next to them is reported as critical (sexual content with minors). */
export const MINOR_WORDS: readonly string[] = `child children kid kids minor minors underage preteen preteens toddler
  toddlers schoolgirl schoolgirls schoolboy schoolboys loli lolita shota infant infants enfant enfants mineur
  mineure mineurs gamin gamine fillette kleinkind kindern minderjährig minderjährige niño niña niños niñas menor menores`
  .split(/\s+/)
  .filter((word) => word.length > 0);

// --- threats: subject + verb + person, in one sentence, without negation ----------------------------------

/** First-person subjects and intent words that carry one ("gonna", "voy", "werde"). */
export const THREAT_SUBJECTS: readonly string[] = `i i'll i'm im i'd we we'll we're gonna je j nous ich
  wir werde werden voy vamos yo`
  .split(/\s+/)
  .filter((word) => word.length > 0);

/** People a threat can be aimed at (object pronouns). */
export const THREAT_OBJECTS: readonly string[] = `you u ya y'all yall him her them everyone everybody te t toi vous dich
  euch ihn os`
  .split(/\s+/)
  .filter((word) => word.length > 0);

/** People that may follow "your" ("I will kill your family"). */
export const THREAT_YOUR_PEOPLE: readonly string[] = `family kids children wife husband mom mum mother dad father son
  daughter sister brother baby friends girlfriend boyfriend parents`
  .split(/\s+/)
  .filter((word) => word.length > 0);

/** Violent verbs, with a severity each: strong verbs are `high`, blows are `medium`. */
export const THREAT_VERBS: Readonly<Record<'high' | 'medium', string>> = {
  high: `kill murder stab shoot strangle rape slaughter butcher torture behead execute gut tuer tue tuerai buter bute
    buterai égorger égorge poignarder violer massacrer crever töten töte umbringen erschießen erschieße abstechen
    steche erstechen erwürgen vergewaltigen matar mato mataré matarte matarlo matarla mataros apuñalar apuñalarte
    violar violarte degollar degollarte ahorcarte`,
  medium: `hurt beat choke punch slap smash frapper frappe cogner défoncer schlagen schlage verprügeln pegar pegarte
    golpear golpearte`,
};

/** Verb forms that already hold their object ("matarte" = kill you). */
export const THREAT_VERBS_WITH_OBJECT: readonly string[] = `matarte matarlo matarla mataros apuñalarte violarte
  degollarte ahorcarte pegarte golpearte`
  .split(/\s+/)
  .filter((word) => word.length > 0);

/** Words that cancel a threat or a hate pattern when they come between its parts (or just before). */
export const NEGATIONS: readonly string[] = `not no never won't wouldn't don't didn't doesn't can't cannot couldn't
  shouldn't isn't aren't wasn't weren't ain't nobody nothing ne pas jamais nicht nie kein keine niemals nunca jamás
  tampoco ni`
  .split(/\s+/)
  .filter((word) => word.length > 0);

/** Words before a self-harm phrase that make it support, not encouragement ("if you want to kill yourself"). */
export const SELF_HARM_CONTEXT: readonly string[] = `if want wants wanting urge urges thought thoughts thinking think
  feel feeling feelings tempted considering never don't not why whether si envie pensées wenn falls gedanken
  nicht si ganas pensamientos`
  .split(/\s+/)
  .filter((word) => word.length > 0);

// --- hate: a group of people + a dehumanising word (or a call to violence) --------------------------------

/** Groups of people (plural nouns and adjectives) that hateful generalisations are aimed at. */
export const GROUPS: readonly string[] = `jews jewish jew muslims muslim moslems islamists blacks africans african
  asians asian chinese japanese koreans mexicans mexican latinos latinas latino hispanics hispanic immigrants
  immigrant migrants migrant refugees refugee arabs arab gays gay lesbians lesbian homosexuals homosexual
  transgender transgenders bisexuals women females indians natives gypsies roma whites christians catholics
  hindus sikhs foreigners juifs juif musulmans musulman noirs arabes immigrés migrants homosexuels femmes
  roms étrangers juden jude muslime ausländer flüchtlinge schwarze türken frauen schwule judíos musulmanes negros
  inmigrantes gitanos mujeres extranjeros`
  .split(/\s+/)
  .filter((word) => word.length > 0);

/** Dehumanising words; after a group (within a few words, same sentence, no negation) they make hate. */
export const DEHUMANIZING: readonly string[] = `animals vermin parasites parasite subhuman subhumans savages savage
  cockroaches roaches rats apes monkeys pigs filth scum inferior disease plague cancer trash garbage evil
  terrorists criminals rapists thieves invaders infestation animaux vermine sauvages cafards singes porcs
  inférieurs racaille tiere ungeziefer parasiten untermenschen ratten affen schweine abschaum minderwertig
  animales alimañas parásitos salvajes cucarachas ratas monos cerdos escoria inferiores`
  .split(/\s+/)
  .filter((word) => word.length > 0);

/** Violence against a group: "<group> should be <word>" or "<word> all the <group>". */
export const EXTERMINATION: readonly string[] = `killed gassed exterminated eradicated eliminated shot hanged lynched
  burned burnt sterilized wiped kill gas exterminate eradicate eliminate lynch hang burn vergasen vergast
  ausrotten ausgerottet exterminer exterminés exterminar exterminados`
  .split(/\s+/)
  .filter((word) => word.length > 0);

/** Words that debunk a generalisation ("it is a myth that …", "stereotype"). */
export const DEBUNKING: readonly string[] = `myth myths stereotype stereotypes stereotypical false wrong unfair racist
  racism prejudice prejudices misconception misconceptions bias biased assume assumption`
  .split(/\s+/)
  .filter((word) => word.length > 0);
