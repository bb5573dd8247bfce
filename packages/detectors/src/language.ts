import {
  ConfigError,
  type DetectContext,
  type Detector,
  type DetectorFactory,
  type FindingInput,
  parseConfig,
  STAGES,
  type Stage,
} from '@parapet/core';
import { z } from 'zod';

/**
 * Language identification without a model file: the Unicode script of the letters decides most languages
 * (Thai, Greek, Hangul, Kana, Han…); where several languages share a script (Latin, Cyrillic, Arabic,
 * Devanagari) a hand-written profile of their most frequent function words, their distinctive letters
 * and a few word endings breaks the tie. One pass over at most `maxChars` characters.
 */

// ISO 15924 script codes. `Kana` covers hiragana and katakana; a text with kana is Japanese (`Jpan`).
const SCRIPTS = [
  'Zyyy',
  'Latn',
  'Grek',
  'Cyrl',
  'Armn',
  'Hebr',
  'Arab',
  'Syrc',
  'Thaa',
  'Deva',
  'Beng',
  'Guru',
  'Gujr',
  'Orya',
  'Taml',
  'Telu',
  'Knda',
  'Mlym',
  'Sinh',
  'Thai',
  'Laoo',
  'Tibt',
  'Mymr',
  'Geor',
  'Hang',
  'Ethi',
  'Khmr',
  'Mong',
  'Kana',
  'Hani',
] as const;
type ScriptCode = (typeof SCRIPTS)[number];
const S = Object.fromEntries(SCRIPTS.map((code, index) => [code, index])) as Record<ScriptCode, number>;

/** Per BMP code unit: the index of its script in SCRIPTS (0: not a letter of a known script). */
const SCRIPT_OF = new Uint8Array(0x10000);
{
  const mark = (from: number, to: number, script: ScriptCode): void => {
    SCRIPT_OF.fill(S[script], from, to + 1);
  };
  mark(0x41, 0x5a, 'Latn');
  mark(0x61, 0x7a, 'Latn');
  mark(0xc0, 0x24f, 'Latn');
  SCRIPT_OF[0xd7] = 0;
  SCRIPT_OF[0xf7] = 0;
  mark(0x1e00, 0x1eff, 'Latn');
  mark(0x2c60, 0x2c7f, 'Latn');
  mark(0xa720, 0xa7ff, 'Latn');
  mark(0x370, 0x3ff, 'Grek');
  SCRIPT_OF[0x37e] = 0;
  SCRIPT_OF[0x387] = 0;
  mark(0x1f00, 0x1fff, 'Grek');
  mark(0x400, 0x52f, 'Cyrl');
  mark(0x1c80, 0x1c8f, 'Cyrl');
  mark(0x2de0, 0x2dff, 'Cyrl');
  mark(0xa640, 0xa69f, 'Cyrl');
  mark(0x531, 0x58f, 'Armn');
  mark(0x591, 0x5f4, 'Hebr');
  mark(0xfb1d, 0xfb4f, 'Hebr');
  mark(0x610, 0x6ff, 'Arab');
  // Arabic-Indic digits and Arabic punctuation are not letters.
  SCRIPT_OF.fill(0, 0x660, 0x66e);
  SCRIPT_OF.fill(0, 0x6f0, 0x6fa);
  SCRIPT_OF[0x6d4] = 0;
  mark(0x750, 0x77f, 'Arab');
  mark(0x8a0, 0x8ff, 'Arab');
  mark(0xfb50, 0xfdff, 'Arab');
  mark(0xfe70, 0xfefc, 'Arab');
  mark(0x700, 0x74f, 'Syrc');
  mark(0x780, 0x7bf, 'Thaa');
  mark(0x900, 0x97f, 'Deva');
  SCRIPT_OF.fill(0, 0x964, 0x970);
  mark(0xa8e0, 0xa8ff, 'Deva');
  mark(0x980, 0x9ff, 'Beng');
  SCRIPT_OF.fill(0, 0x9e6, 0x9f0);
  mark(0xa00, 0xa7f, 'Guru');
  mark(0xa80, 0xaff, 'Gujr');
  mark(0xb00, 0xb7f, 'Orya');
  mark(0xb80, 0xbff, 'Taml');
  mark(0xc00, 0xc7f, 'Telu');
  mark(0xc80, 0xcff, 'Knda');
  mark(0xd00, 0xd7f, 'Mlym');
  mark(0xd80, 0xdff, 'Sinh');
  mark(0xe01, 0xe5b, 'Thai');
  SCRIPT_OF.fill(0, 0xe50, 0xe5a);
  mark(0xe80, 0xeff, 'Laoo');
  mark(0xf00, 0xfff, 'Tibt');
  mark(0x1000, 0x109f, 'Mymr');
  mark(0x10a0, 0x10ff, 'Geor');
  mark(0x1c90, 0x1cbf, 'Geor');
  mark(0x1100, 0x11ff, 'Hang');
  mark(0x3131, 0x318e, 'Hang');
  mark(0xac00, 0xd7a3, 'Hang');
  mark(0x1200, 0x139f, 'Ethi');
  mark(0x1780, 0x17ff, 'Khmr');
  mark(0x1800, 0x18af, 'Mong');
  mark(0x3041, 0x309f, 'Kana');
  mark(0x30a1, 0x30ff, 'Kana');
  SCRIPT_OF[0x30fb] = 0;
  mark(0x31f0, 0x31ff, 'Kana');
  mark(0xff66, 0xff9d, 'Kana');
  mark(0x3400, 0x4dbf, 'Hani');
  mark(0x4e00, 0x9fff, 'Hani');
  mark(0xf900, 0xfaff, 'Hani');
}

// One Han, kana or Hangul character carries about as much as three Latin letters: `minLength` and the script
// shares count them as three, so that a short Chinese question is not "too short" while its Latin names
// do not outweigh it.
const SCRIPT_WEIGHT = new Float64Array(SCRIPTS.length).fill(1);
SCRIPT_WEIGHT[S.Hani] = 3;
SCRIPT_WEIGHT[S.Kana] = 3;
SCRIPT_WEIGHT[S.Hang] = 3;

/** Scripts written by one language (for our purposes). */
const SCRIPT_LANGUAGE: Partial<Record<ScriptCode, string>> = {
  Grek: 'el',
  Armn: 'hy',
  Hebr: 'he',
  Thaa: 'dv',
  Beng: 'bn',
  Guru: 'pa',
  Gujr: 'gu',
  Orya: 'or',
  Taml: 'ta',
  Telu: 'te',
  Knda: 'kn',
  Mlym: 'ml',
  Sinh: 'si',
  Thai: 'th',
  Laoo: 'lo',
  Tibt: 'bo',
  Mymr: 'my',
  Geor: 'ka',
  Hang: 'ko',
  Ethi: 'am',
  Khmr: 'km',
  Mong: 'mn',
  Kana: 'ja',
  Hani: 'zh',
};

/** Languages sharing a script, told apart by their profiles; the first is the guess when no word is known. */
const SHARED_SCRIPTS: Partial<Record<ScriptCode, readonly string[]>> = {
  Latn: [
    'en',
    'fr',
    'de',
    'es',
    'it',
    'pt',
    'nl',
    'ro',
    'tr',
    'vi',
    'id',
    'pl',
    'sv',
    'da',
    'no',
    'fi',
    'cs',
    'sk',
    'hu',
  ],
  Cyrl: ['ru', 'uk', 'bg', 'be', 'sr', 'mk', 'kk'],
  Arab: ['ar', 'fa', 'ur'],
  Deva: ['hi', 'mr', 'ne'],
};
/** Guess for a shared script when no profile word or letter speaks (Latin: none, too many candidates). */
const SHARED_DEFAULT: Partial<Record<ScriptCode, string>> = { Cyrl: 'ru', Arab: 'ar', Deva: 'hi' };

export const LANGUAGE_NAMES: Readonly<Record<string, string>> = {
  en: 'English',
  fr: 'French',
  de: 'German',
  es: 'Spanish',
  it: 'Italian',
  pt: 'Portuguese',
  nl: 'Dutch',
  ro: 'Romanian',
  tr: 'Turkish',
  vi: 'Vietnamese',
  id: 'Indonesian',
  pl: 'Polish',
  sv: 'Swedish',
  da: 'Danish',
  no: 'Norwegian',
  fi: 'Finnish',
  cs: 'Czech',
  sk: 'Slovak',
  hu: 'Hungarian',
  ru: 'Russian',
  uk: 'Ukrainian',
  bg: 'Bulgarian',
  be: 'Belarusian',
  sr: 'Serbian (Cyrillic)',
  mk: 'Macedonian',
  kk: 'Kazakh',
  ar: 'Arabic',
  fa: 'Persian',
  ur: 'Urdu',
  hi: 'Hindi',
  mr: 'Marathi',
  ne: 'Nepali',
  el: 'Greek',
  hy: 'Armenian',
  he: 'Hebrew',
  dv: 'Dhivehi',
  bn: 'Bengali',
  pa: 'Punjabi',
  gu: 'Gujarati',
  or: 'Odia',
  ta: 'Tamil',
  te: 'Telugu',
  kn: 'Kannada',
  ml: 'Malayalam',
  si: 'Sinhala',
  th: 'Thai',
  lo: 'Lao',
  bo: 'Tibetan',
  my: 'Burmese',
  ka: 'Georgian',
  ko: 'Korean',
  am: 'Amharic',
  km: 'Khmer',
  mn: 'Mongolian',
  ja: 'Japanese',
  zh: 'Chinese',
};

/** Every ISO 639-1 code `detectLanguage` can return. */
export const SUPPORTED_LANGUAGES: readonly string[] = Object.keys(LANGUAGE_NAMES);
const LANGUAGE_INDEX = new Map(SUPPORTED_LANGUAGES.map((code, index) => [code, index]));
const LANGUAGE_COUNT = SUPPORTED_LANGUAGES.length;

// The most frequent function words of each language (articles, pronouns, prepositions, conjunctions,
// auxiliaries, question words), from frequency lists. A word listed for k languages gives each 1/k.
const FUNCTION_WORDS: Record<string, string> = {
  en: `the of and to a in is it you that he was for on are as with his they i at be this have from or one had by but
    not what all were we when your can said there an each which she do how their if will up other about out many then
    them these so some her would make like him into time has two more go see no way could people my than first been
    who its now did get come made may me where why does should please tell give help know want need i'm don't it's
    can't am our us any just also over after most only very much such because those here well even new through back
    good being year years between during before under while against without again off around both same another
    something anything someone best way things thing get got let's you're i've what's how's isn't doesn't didn't
    won't would've there's that's they're we're yes thanks thank hello hi`,
  fr: `le la les de des du un une et est en que qui dans pour pas sur au aux ne se ce il elle ils elles nous vous je tu
    on avec par plus sont mais ou où son sa ses leur leurs cette été être avoir fait comme tout tous toute très bien
    aussi y a à l' d' qu' c' n' s' j' m' quel quelle quels quelles comment pourquoi quand combien était étaient ont
    peut entre sans sous dont après avant lui moi toi mon ma mes ton ta tes vos notre votre ces celui cela ça encore
    c'est qu'est-ce est-ce quoi chez vers donc alors depuis jusqu'à lors parce puis déjà avez suis sommes êtes`,
  de: `der die das und in zu den von ist nicht mit dem sich des auf für ein eine einen einem einer eines als auch es an
    er so dass daß sie nach wird bei um am sind noch wie war ich wir ihr hat haben werden wurde wurden aus aber nur
    oder vor zur zum bis mehr durch man über sein seine seiner seinen können kann kein keine schon wenn was wer wo
    wann warum welche welcher welches welchem welchen viele wie viel im diese dieser dieses diesem hier jetzt sehr
    mir mich dir dich uns gibt gegen ohne unter zwischen immer dann da doch ihre ihren ihrer ihm ihn jahr jahre
    jahren wieviele wieso weshalb sowie bereits nachdem während`,
  es: `de la que el en y a los del se las por un para con no una su al lo como más pero sus le ya o este sí porque
    esta entre cuando muy sin sobre también me hasta hay donde quien desde todo nos durante todos uno les ni contra
    otros ese eso ante ellos e esto mí antes algunos qué unos yo otro otras otra él tanto esa estos mucho quienes
    nada muchos cual poco ella estar estas algunas algo nosotros mi mis tú te ti tu tus ellas cómo cuál cuáles
    cuántos cuántas cuánto cuánta dónde quién quiénes cuándo fue es son era fueron está están ha han he ser puede
    hace fueron había tiene tienen sido año años según tras`,
  it: `di e il la che è per un in a del non una le si i da con sono gli al come ma lo più della nel anche alla ha dei
    se ci questo mi ti delle ad io essere tra quando chi cosa perché così sul dal nella degli o anno suo sua suoi
    loro erano era fu stato stata quale quali quanti quante quanto quanta dove cui ne uno all' dell' nell' sull'
    c'è lui lei noi voi molto tutto tutti già poi senza sempre ancora hanno ho hai abbiamo questa questi queste
    quello quella dopo prima sono stati anni dalla dai alle agli negli sulla`,
  pt: `de a o que e do da em um para é com não uma os no se na por mais as dos como mas foi ao ele das tem à seu sua
    ou ser quando muito há nos já está eu também só pelo pela até isso ela entre era depois sem mesmo aos ter seus
    quem nas me esse eles estão você tinha foram essa num nem suas meu às minha têm numa pelos elas havia seja qual
    será nós tenho lhe deles essas esses pelas este fosse dele tu te vocês vos lhes meus minhas teu tua nosso
    nossa dela esta estes estas aquele aquela isto aquilo quantos quantas quanto onde porque são anos ano qual quais`,
  nl: `de en van ik te dat die in een hij het niet zijn is was op aan met als voor had er maar om hem dan zou of wat
    mijn men dit zo door over ze zich bij ook tot je mij uit der daar haar naar heb hoe heeft hebben deze u want nog
    zal me zij nu geen omdat iets worden toch al waren veel meer doen toen moet ben zonder kan hun dus alles onder
    ja eens hier wie werd altijd wordt kunnen ons zelf tegen na wil kon niets uw iemand geweest andere welke waarom
    wanneer waar hoeveel jaar jaren`,
  ro: `de la și şi în a să cu că pe nu o al care din se un este mai sau ce dar fost lui sunt pentru ca prin au el ea
    ei ele noi voi ne le îi își îşi acest această aceasta acesta aceste acești aceşti ale ai cel cea cei cele unde
    când cum cine câte câți câţi cât câtă fi avea are după până între despre fără sub spre decât doar foarte toate
    tot toți toţi iar ori dintre asupra anul anii ani unei unui fiind există avut care`,
  tr: `bir ve bu da de için ile ne o ben sen mi mı mu mü çok daha gibi olarak olan var yok en kadar sonra ama ya veya
    ki değil her şey şu onun onlar biz siz kaç hangi nasıl neden nerede kim zaman hem ise bile göre diye
    tarafından yılında ilk olduğu oldu olmak hangisi kimdir nedir nelerdir yılı yıl ayrıca arasında üzerinde
    içinde neyi neydi kimdi kime kimin neredeydi nereye nereden kaçı kaçtır kaçıncı niçin nedeni mıdır midir
    değildir vardı yoktu idi olan nelerdi hangileri`,
  vi: `của và là có trong được cho các không một những với người này đã để khi từ đến như thì về cũng ra nhiều vào tại
    sau bị theo năm nào gì ai đâu bao nhiêu sao làm hơn rất lại còn nên đó mà nhưng hay hoặc đang sẽ`,
  id: `yang dan di dari ini itu dengan untuk tidak dalam akan pada juga ke karena ada oleh saya mereka kita kami bisa
    atau sudah telah seperti apa siapa bagaimana mengapa kapan dimana berapa lebih hanya jika tetapi namun adalah
    sebagai antara masih harus setelah sebuah para bahwa banyak`,
  pl: `i w nie na się z że do to jest o a jak co ale po tak od za jego jej ich już tylko czy przez być był była było są
    jako dla który która które przy może tego tym także oraz lub gdzie kiedy dlaczego ile jaki jaka jakie kto mnie
    mi ja ty on ona my wy bardzo jeszcze więc bo ten ta te pod nad bez u ze we`,
  sv: `och i att det som en på är av för med till den inte har de ett om var men jag så han sig vi ni hon kan från
    efter vid där eller när nu bara mycket hur vad vem varför vilken vilket vilka ska skulle också då sina sin sitt
    under mot utan alla dig mig dem deras hans hennes vara blev blir`,
  da: `og i at det som en på er af for med til den ikke har de et om var men jeg så han sig vi hun kan fra efter ved
    der eller når nu kun meget hvordan hvad hvem hvorfor hvilken skal skulle også da sine sin sit under mod uden
    alle dig mig dem deres hans hendes være blev bliver jer`,
  no: `og i å det som en på er av for med til den ikke har de et om var men jeg så han seg vi hun kan fra etter ved
    der eller når nå bare mye hvordan hva hvem hvorfor hvilken skal skulle også da sine sin sitt under mot uten
    alle deg meg dem deres hans hennes være ble blir dere`,
  fi: `ja on ei se että hän oli ovat mitä kun niin mutta tai jos kuin myös vain joka jotka sekä olla tämä nämä siitä
    sen ne me te he minä sinä mikä kuka miksi miten missä milloin kuinka paljon sitten vielä jo nyt aina kaikki ole
    olen olet ollut`,
  cs: `a je se v na že to s z do o i k jako ale jak co by pro které který která jsou byl byla bylo jsem jsi není nebo
    po tak jeho její jejich už jen při od za aby když kde proč kdo kolik jaký jaká jaké také tento tato toto mezi
    před pod nad bez být má mají ve ze`,
  sk: `a je sa v na že to s z do o i k ako ale čo by pre ktoré ktorý ktorá sú bol bola bolo som si nie alebo po tak
    jeho jej ich už len pri od za aby keď kde prečo kto koľko aký aká aké tiež tento táto toto medzi pred pod nad
    bez byť má majú vo zo`,
  hu: `a az és hogy nem is egy van meg de ez azt csak még ha már mint el volt vagy mi ki le fel be sem nagyon minden
    után között miért hogyan hol mikor mennyi melyik ezt azok ezek lesz lett voltak vannak kell lehet által pedig`,
  ru: `и в не на я что он с как а то все всё она так его но да ты к у же вы за бы по только ее её мне было вот от меня
    еще ещё нет о из ему теперь когда даже ну ли если уже или ни быть был него до вас там потом себя ничего ей может
    они тут где есть надо ней для мы тебя их чем была сам чтоб без чего раз тоже себе под будет тогда кто этот того
    потому этого какой совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно
    при после над больше тот через эти нас про всего них какая много разве три эту моя хорошо свою этой перед
    лучше том нельзя такой им более всегда конечно всю между сколько какие каких каком который которая которые
    которых году является также это кем чем`,
  uk: `і й в не на я що він з як а то все вона так його але та ти до у же ви за б по тільки її мені було ось від мене
    ще немає о із йому тепер коли навіть чи якщо вже або ні бути був вас там потім себе нічого їй може вони тут де
    є треба для ми тебе їх ніж була сам без чого раз теж собі під буде хто цей того тому цього який зовсім цьому
    один майже мій щоб зараз були куди ніколи можна після над більше через ці нас про всього них яка багато три
    цю моя добре свою цієї перед краще також скільки які яких котрий році це`,
  bg: `и в не на аз че той с като а то всичко тя така го но да ти към у вие за би по само ѝ ми беше от мен още няма о из
    му сега когато дори ли ако вече или ни бъде бил до вас там после себе нищо може те тук където е трябва ние теб
    тях отколкото сам без какво път също си под ще кой този това защото един почти мой бяха къде никога след над
    повече през тези нас всички които която който много три добре са се мога моля как искам`,
  ar: `في من على إلى أن عن مع هذا هذه التي الذي كان ما لا هو هي ذلك كل بعد قبل بين حتى أو ثم قد لم لن إن عند منذ كيف
    متى أين لماذا ماذا كم أي الذين وقد وفي ومن كانت هل التى الى ان او`,
  fa: `و در به از که این را با است آن برای یک می شود بود تا هم نیز ما من او شما آنها چه چرا کجا چگونه چند کدام
    های هر اما بر خود کرد شده دارد`,
  ur: `کے میں کی ہے اور سے کو نے یہ کا پر ہیں تھا وہ بھی ایک کہ کیا کیوں کون کہاں کتنے تھے گیا ہو`,
  hi: `है के में की और को से का एक यह पर हैं था ने नहीं भी तो कि वह इस जो कर हो किया लिए गया कुछ थे जा रहा तक या साथ
    क्या कब कहाँ कौन कैसे कितने कितनी क्यों किस किसने किसे द्वारा उस उसके वे`,
  mr: `आहे आणि या व हे ते की करण्यात होते आहेत मध्ये ला ची चा चे च्या ने वर म्हणून काय कोण कधी कुठे कसे किती का त्या
    हा ही एक नाही होता होती`,
  ne: `छ र को मा पनि हो गर्न यो त्यो भएको छन् थियो गरेको लागि के कहाँ किन कसरी कति हुन्छ गर्ने`,
};

// Letters that point to a few languages (a letter listed for k languages gives each 1/k per occurrence).
const LETTERS: Record<string, string> = {
  ñ: 'es',
  '¿': 'es',
  '¡': 'es',
  ß: 'de',
  ä: 'de sv fi sk',
  ö: 'de sv fi tr hu',
  ü: 'de tr hu',
  ç: 'fr pt tr',
  ã: 'pt',
  õ: 'pt',
  â: 'pt fr ro',
  ê: 'pt fr',
  ô: 'pt fr sk',
  à: 'fr pt it',
  è: 'fr it',
  ù: 'fr it',
  ì: 'it',
  ò: 'it',
  ë: 'fr nl',
  ï: 'fr nl',
  œ: 'fr',
  û: 'fr',
  î: 'fr ro',
  ă: 'ro',
  ș: 'ro',
  ț: 'ro',
  ş: 'tr ro',
  ţ: 'ro',
  ğ: 'tr',
  ı: 'tr',
  ơ: 'vi',
  ư: 'vi',
  đ: 'vi',
  ł: 'pl',
  ą: 'pl',
  ę: 'pl',
  ć: 'pl',
  ń: 'pl',
  ś: 'pl',
  ź: 'pl',
  ż: 'pl',
  å: 'sv da no',
  ø: 'da no',
  æ: 'da no',
  ř: 'cs',
  ů: 'cs',
  ě: 'cs',
  č: 'cs sk',
  š: 'cs sk',
  ž: 'cs sk',
  ý: 'cs sk',
  ľ: 'sk',
  ĺ: 'sk',
  ŕ: 'sk',
  ő: 'hu',
  ű: 'hu',
  á: 'es pt cs sk hu',
  é: 'fr es pt it cs sk hu',
  í: 'es pt cs sk hu',
  ó: 'es pt pl cs sk hu',
  ú: 'es pt cs sk hu',
  ы: 'ru be',
  э: 'ru be',
  ё: 'ru be',
  ъ: 'bg ru',
  і: 'uk be kk',
  ї: 'uk',
  є: 'uk',
  ґ: 'uk',
  ў: 'be',
  ђ: 'sr',
  ћ: 'sr',
  џ: 'sr mk',
  љ: 'sr mk',
  њ: 'sr mk',
  ј: 'sr mk',
  ѓ: 'mk',
  ќ: 'mk',
  ѕ: 'mk',
  ә: 'kk',
  ғ: 'kk',
  қ: 'kk',
  ң: 'kk',
  ө: 'kk',
  ұ: 'kk',
  ү: 'kk',
  һ: 'kk',
  ة: 'ar',
  ى: 'ar',
  ي: 'ar',
  ك: 'ar',
  پ: 'fa ur',
  چ: 'fa ur',
  ژ: 'fa',
  گ: 'fa ur',
  ی: 'fa ur',
  ک: 'fa ur',
  ٹ: 'ur',
  ڈ: 'ur',
  ڑ: 'ur',
  ں: 'ur',
  ے: 'ur',
  ہ: 'ur',
  ळ: 'mr',
};

// Word endings typical of one language (checked on words of 5+ letters), for texts with few function words.
const ENDINGS: Record<string, string> = {
  en: 'ing tion ness ed ly ght',
  fr: 'eux eau aux ique ment tion ais ait aient',
  de: 'ung keit heit lich isch chen schaft ungen',
  es: 'ción ciones mente ado ada idad dad aron',
  it: 'zione zioni mente ato ata ità etto gli',
  pt: 'ção ções mente ado ada dade ão ões aram',
  nl: 'heid lijk ijk tje',
  ro: 'ului ilor ează ește ție ția ul',
  tr: 'lar ler ları leri dır dir sı si nın nin',
  id: 'kan nya lah',
  pl: 'ość ów ych ami ich',
  sv: 'ningen arna erna',
  fi: 'ssa ssä sta stä lla llä',
  hu: 'ság ség nak nek ban ben',
  ru: 'ого его ый ых ться',
  uk: 'ння ться ості',
  bg: 'ата ята ът ото ите',
};

interface Weighted {
  readonly index: number;
  readonly weight: number;
}

function weighted(table: Record<string, string>): Map<string, Weighted[]> {
  const owners = new Map<string, Set<string>>();
  for (const [language, list] of Object.entries(table)) {
    for (const item of list.split(/\s+/)) {
      if (item.length === 0) continue;
      const set = owners.get(item) ?? new Set<string>();
      set.add(language);
      owners.set(item, set);
    }
  }
  const out = new Map<string, Weighted[]>();
  for (const [item, languages] of owners) {
    out.set(
      item,
      [...languages].map((language) => ({ index: LANGUAGE_INDEX.get(language)!, weight: 1 / languages.size })),
    );
  }
  return out;
}

const WORDS = weighted(FUNCTION_WORDS);
const LETTER_WEIGHTS = new Map<number, Weighted[]>();
for (const [letter, list] of Object.entries(LETTERS)) {
  const languages = list.split(' ');
  const owners = languages.map((code) => ({ index: LANGUAGE_INDEX.get(code)!, weight: 1 / languages.length }));
  LETTER_WEIGHTS.set(letter.charCodeAt(0), owners);
  const upper = letter.toUpperCase();
  if (upper !== letter && upper.length === 1) LETTER_WEIGHTS.set(upper.charCodeAt(0), owners);
}
// Vietnamese letters with tone marks (U+1EA0–U+1EF9) belong to no other language we know.
const VI = LANGUAGE_INDEX.get('vi')!;
const EN = LANGUAGE_INDEX.get('en')!;
const TR = LANGUAGE_INDEX.get('tr')!;
const ENDING_OWNERS = weighted(ENDINGS);
const ENDING_LENGTHS = [...new Set([...ENDING_OWNERS.keys()].map((ending) => ending.length))].sort((a, b) => b - a);
const ENDING_WEIGHT = 0.5;
// "it's", "don't", "we're": the part after the apostrophe is English.
const ENGLISH_CONTRACTIONS = new Set(['s', 't', 're', 'll', 've', 'm', 'd']);

export interface LanguageGuess {
  /** ISO 639-1 code, or `und` (undetermined) when the text has no letters or nothing points to a language. */
  readonly language: string;
  /** In [0, 1]: the share of letters in the deciding script times how clearly the profile won. */
  readonly confidence: number;
  /** ISO 15924 code of the dominant script (`Jpan` for Japanese's mix of kana and Han), `Zyyy` without letters. */
  readonly script: string;
}

interface Analysis extends LanguageGuess {
  /** Letters per script (weighted like `letters`). */
  readonly counts: Float64Array;
  /** Letters counted (Han, kana and Hangul count three each). */
  readonly letters: number;
  /** Dominant script's index, and the share of letters in it. */
  readonly scriptIndex: number;
  readonly share: number;
  /** Profile scores of every language (only those of the dominant script matter). */
  readonly scores: Float64Array;
}

const UNDETERMINED = 'und';
// Confidence of a shared-script verdict: 1 - exp(-margin / MARGIN_SCALE), margin = best - runner-up score.
const MARGIN_SCALE = 1.5;

function addAll(scores: Float64Array, owners: readonly Weighted[] | undefined, factor: number): void {
  if (owners === undefined) return;
  for (const owner of owners) scores[owner.index]! += owner.weight * factor;
}

function scoreWord(word: string, scores: Float64Array): void {
  if (word.length > 24) return;
  let lower = word.toLowerCase();
  const apostrophe = lower.search(/['’]/);
  if (apostrophe >= 0) {
    lower = lower.replace(/’/g, "'");
    const whole = WORDS.get(lower);
    if (whole !== undefined) {
      addAll(scores, whole, 1);
      return;
    }
    addAll(scores, WORDS.get(lower.slice(0, apostrophe + 1)), 1);
    const rest = lower.slice(apostrophe + 1);
    if (ENGLISH_CONTRACTIONS.has(rest)) {
      scores[EN]! += 1;
      return;
    }
    lower = rest;
  }
  const owners = WORDS.get(lower);
  if (owners !== undefined) {
    addAll(scores, owners, 1);
    return;
  }
  if (lower.length >= 5) {
    // The longest known ending counts: "ções" is Portuguese before "es" could say anything.
    for (const length of ENDING_LENGTHS) {
      const endingOwners = ENDING_OWNERS.get(lower.slice(-length));
      if (endingOwners !== undefined) {
        addAll(scores, endingOwners, ENDING_WEIGHT);
        return;
      }
    }
  }
}

function isMark(code: number): boolean {
  return (code >= 0x300 && code <= 0x36f) || code === 0x200c || code === 0x200d;
}

function analyze(text: string, maxChars: number): Analysis {
  let end = Math.min(text.length, maxChars);
  // Never cut a surrogate pair in two.
  if (end < text.length && end > 0 && (text.charCodeAt(end - 1) & 0xfc00) === 0xd800) end++;
  const counts = new Float64Array(SCRIPTS.length);
  const scores = new Float64Array(LANGUAGE_COUNT);
  let letters = 0;
  let wordStart = -1;
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i);
    let script = 0;
    let width = 1;
    if ((code & 0xfc00) === 0xd800 && i + 1 < end) {
      const low = text.charCodeAt(i + 1);
      if ((low & 0xfc00) === 0xdc00) {
        const point = ((code - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
        if (point >= 0x20000 && point <= 0x3ffff) script = S.Hani;
        width = 2;
      }
    } else script = SCRIPT_OF[code]!;
    if (script !== 0) {
      const weight = SCRIPT_WEIGHT[script]!;
      counts[script]! += weight;
      letters += weight;
      if (code >= 0x1ea0 && code <= 0x1ef9) scores[VI]! += 1;
      else if (code === 0x130) scores[TR]! += 1;
      else if (code >= 0xa1) addAll(scores, LETTER_WEIGHTS.get(code), 1);
      if (wordStart < 0) wordStart = i;
    } else if (
      wordStart >= 0 &&
      (isMark(code) || ((code === 0x27 || code === 0x2019) && SCRIPT_OF[text.charCodeAt(i + 1)] === S.Latn))
    ) {
      // inside a word: combining marks, joiners, an apostrophe between letters
    } else {
      if (code === 0xbf || code === 0xa1) addAll(scores, LETTER_WEIGHTS.get(code), 1);
      if (wordStart >= 0) {
        scoreWord(text.slice(wordStart, i), scores);
        wordStart = -1;
      }
    }
    i += width - 1;
  }
  if (wordStart >= 0) scoreWord(text.slice(wordStart, end), scores);
  return decide(counts, letters, scores);
}

function decide(counts: Float64Array, letters: number, scores: Float64Array): Analysis {
  if (letters === 0) {
    return { language: UNDETERMINED, confidence: 0, script: 'Zyyy', counts, letters, scriptIndex: 0, share: 0, scores };
  }
  let dominant = 1;
  for (let index = 2; index < counts.length; index++) if (counts[index]! > counts[dominant]!) dominant = index;
  const script: ScriptCode = SCRIPTS[dominant]!;
  let share = counts[dominant]! / letters;
  // Japanese mixes Han and kana; Chinese has no kana.
  const kana = counts[S.Kana]!;
  const han = counts[S.Hani]!;
  if ((script === 'Hani' || script === 'Kana') && kana > 0 && kana >= 0.08 * (kana + han)) {
    share = (kana + han) / letters;
    return { language: 'ja', confidence: share, script: 'Jpan', counts, letters, scriptIndex: S.Kana, share, scores };
  }
  const single = SCRIPT_LANGUAGE[script];
  if (single !== undefined) {
    return { language: single, confidence: share, script, counts, letters, scriptIndex: dominant, share, scores };
  }
  const candidates = SHARED_SCRIPTS[script];
  if (candidates === undefined) {
    return { language: UNDETERMINED, confidence: 0, script, counts, letters, scriptIndex: dominant, share, scores };
  }
  let best = '';
  let bestScore = 0;
  let second = 0;
  for (const language of candidates) {
    const score = scores[LANGUAGE_INDEX.get(language)!]!;
    if (score > bestScore) {
      second = bestScore;
      bestScore = score;
      best = language;
    } else if (score > second) second = score;
  }
  if (bestScore === 0) {
    const fallback = SHARED_DEFAULT[script];
    return {
      language: fallback ?? UNDETERMINED,
      confidence: fallback === undefined ? 0 : 0.3 * share,
      script,
      counts,
      letters,
      scriptIndex: dominant,
      share,
      scores,
    };
  }
  const confidence = share * (1 - Math.exp(-(bestScore - second) / MARGIN_SCALE));
  return { language: best, confidence, script, counts, letters, scriptIndex: dominant, share, scores };
}

/**
 * Identifies the language of a text by its script and, for scripts several languages share, by their
 * function words, letters and word endings. Pure and synchronous; examines at most the first `maxChars`
 * characters (default 4096). Short texts get low confidence rather than no answer.
 *
 * @example
 * detectLanguage('Où se trouve la gare la plus proche ?'); // { language: 'fr', confidence: 0.74, script: 'Latn' }
 */
export function detectLanguage(text: string, options: { maxChars?: number } = {}): LanguageGuess {
  if (typeof text !== 'string') return { language: UNDETERMINED, confidence: 0, script: 'Zyyy' };
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  const head = text.length > maxChars ? text.slice(0, maxChars + 1) : text;
  const analysis = analyze(head.normalize('NFC'), maxChars);
  return { language: analysis.language, confidence: round(analysis.confidence), script: analysis.script };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

const DEFAULT_MAX_CHARS = 4096;
const SUPPORTED_SET = new Set(SUPPORTED_LANGUAGES);
const languageCode = z
  .string()
  .transform((value) => value.toLowerCase())
  .refine((value) => SUPPORTED_SET.has(value), {
    message: `unknown language code; use ISO 639-1 codes among: ${SUPPORTED_LANGUAGES.join(', ')}`,
  });

const optionsSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case, e.g. "language"')
      .default('language'),
    stages: z
      .array(z.enum(STAGES as [Stage, ...Stage[]]))
      .min(1, 'must name at least one stage')
      .default(['input']),
    /** ISO 639-1 codes of the languages the application accepts. */
    allowed: z
      .array(languageCode, { error: () => 'must be an array of ISO 639-1 codes, e.g. ["en", "fr"]' })
      .min(1, 'name at least one language, e.g. ["en"]'),
    /** Texts with fewer letters (Han, kana, Hangul count three) are not judged. */
    minLength: z.number().int().min(0).max(100_000).default(20),
    /** Verdicts less sure than this are "unknown". */
    minConfidence: z.number().min(0).max(1).default(0.5),
    /** What to do with texts whose language cannot be told (too short, ambiguous): allow (default) or flag. */
    onUnknown: z.enum(['allow', 'flag']).default('allow'),
    /** Characters examined at most (the start of the text). */
    maxChars: z.number().int().min(16).max(1_000_000).default(DEFAULT_MAX_CHARS),
    /**
     * A text with at least this share of its letters in the script of an allowed language (other than its
     * dominant script) is mixed, not foreign, and is not flagged: a Greek question about "Tesla Electric
     * Light & Manufacturing" is Greek. Set 1 to judge by the dominant script alone.
     */
    mixedShare: z.number().min(0.01).max(1).default(0.2),
    /** Action recommended for a language not allowed. */
    action: z.enum(['flag', 'review', 'block']).default('block'),
  })
  .strict();

export type LanguageOptions = z.input<typeof optionsSchema>;

/** The scripts a language is written in (as indexes into SCRIPTS). */
function scriptsOf(code: string): number[] {
  const out: number[] = [];
  for (const [script, single] of Object.entries(SCRIPT_LANGUAGE))
    if (single === code) out.push(S[script as ScriptCode]);
  for (const [script, shared] of Object.entries(SHARED_SCRIPTS))
    if (shared.includes(code)) out.push(S[script as ScriptCode]);
  if (code === 'ja') out.push(S.Hani);
  return out;
}

// Format characters (zero-width, bidi controls, tags) that would split words when reading the original.
const FORMAT_CHARACTERS = /[\p{Cf}]/gu;

/**
 * The analysis of a check's text. Normally the normalized text; but when the normalizer folded look-alike
 * letters (a Cyrillic "Кто" next to a Latin name becomes "Kto"), the folding itself misleads language
 * identification, so the start of the original text is read instead (NFC, format characters removed).
 */
function analyzeView(view: DetectContext['normalized'], maxChars: number): Analysis {
  if (view.stats.confusables === 0) return analyze(view.text, maxChars);
  const head = view.original
    .slice(0, maxChars + 1)
    .replace(FORMAT_CHARACTERS, '')
    .normalize('NFC');
  return analyze(head, maxChars);
}

/**
 * Flags texts written in a language the application does not accept (`language-not-allowed`, with
 * `data: { language, confidence, script }`). Short or ambiguous texts — fewer than `minLength` letters, or
 * a confidence under `minConfidence` — are not judged, unless `onUnknown: 'flag'` (`language-unknown`).
 * Texts without any letter are never flagged. Examines the first `maxChars` characters (default 4096).
 *
 * @example
 * createGuard({ input: [language({ allowed: ['en', 'fr'] })] });
 */
export function language(options: LanguageOptions): Detector {
  const config = parseConfig(optionsSchema, options, 'language() options');
  const allowed = new Set(config.allowed);
  const allowedIndexes = config.allowed.map((code) => LANGUAGE_INDEX.get(code)!);
  const allowedScripts = [...new Set(config.allowed.flatMap(scriptsOf))];
  const unknown = (reason: string, analysis: Analysis): FindingInput[] =>
    config.onUnknown === 'flag'
      ? [
          {
            category: 'language-unknown',
            score: 0.5,
            severity: 'low',
            message: `language could not be determined (${reason})`,
            data: { language: analysis.language, confidence: round(analysis.confidence), script: analysis.script },
          },
        ]
      : [];

  return {
    id: config.id,
    stages: config.stages,
    rules: [
      { category: 'language-not-allowed', minScore: config.minConfidence, action: config.action },
      { category: 'language-unknown', minScore: 0.5, action: 'flag' },
    ],
    detect(_text: string, context: DetectContext): readonly FindingInput[] {
      const analysis = analyzeView(context.normalized, config.maxChars);
      if (analysis.letters === 0) return [];
      if (allowed.has(analysis.language)) return [];
      for (const script of allowedScripts) {
        if (
          script !== analysis.scriptIndex &&
          config.mixedShare < 1 &&
          analysis.counts[script]! >= config.mixedShare * analysis.letters
        )
          return [];
      }
      if (analysis.language === UNDETERMINED) return unknown('no known script or word', analysis);
      if (analysis.letters < config.minLength) return unknown('too short', analysis);
      // How sure are we that it is none of the allowed languages? Against an allowed language of the same
      // script, only the margin of the profile over it counts.
      // When no allowed language is written in the text's script, the script alone settles it.
      let confidence = analysis.share;
      const candidates = SHARED_SCRIPTS[SCRIPTS[analysis.scriptIndex]!] ?? [];
      let bestAllowed = -1;
      for (const index of allowedIndexes) {
        if (candidates.includes(SUPPORTED_LANGUAGES[index]!))
          bestAllowed = Math.max(bestAllowed, analysis.scores[index]!);
      }
      if (bestAllowed >= 0) {
        const own = analysis.scores[LANGUAGE_INDEX.get(analysis.language)!]!;
        confidence = analysis.share * (1 - Math.exp(-(own - bestAllowed) / MARGIN_SCALE));
      }
      if (confidence < config.minConfidence) return unknown('low confidence', analysis);
      const name = LANGUAGE_NAMES[analysis.language] ?? analysis.language;
      return [
        {
          category: 'language-not-allowed',
          score: round(confidence),
          severity: 'medium',
          message: `text appears to be in ${name} (${analysis.language}), which is not among the allowed languages (${config.allowed.join(', ')})`,
          data: { language: analysis.language, confidence: round(confidence), script: analysis.script },
        },
      ];
    },
  };
}

/** Registry entry: `language` needs `options.allowed`. */
export const languageEntry: DetectorFactory = {
  id: 'language',
  stages: ['input', 'output', 'tool_input', 'tool_output'],
  description: 'Language of the text by script and function words; flags languages not in options.allowed',
  requiresOptions: true,
  create: (options) => {
    if (options === undefined) {
      throw new ConfigError({
        message:
          'Detector "language" needs options: set policy.detectors.language.options = { allowed: ["en"] } (ISO 639-1 codes).',
      });
    }
    return language(options as never);
  },
};
