"""Words that signal acute danger, in every language we know: a pure matcher.

Every free text a resident sends goes through `DangerMatcher.match`, whatever the resident's
language (someone may write in a language the bot does not speak yet). The words live in
content/danger_words.toml; this module knows how people write them:

- **Normalisation, per script.** Case and diacritics go (Dutch é, Polish ó ż, Turkish ş ç ğ ö ü;
  ı and İ become i; ł becomes l), so `bicakladi` meets `bıçakladı`. Arabic loses its short
  vowels and tatweel, أ إ آ become ا, ى becomes ي, ة becomes ه. Apostrophes go (`can't` is
  `cant`). A letter typed three times or more (`heeeelp`, `حرييييق`) is tried as two and as one.
- **Inflection, for languages that bend the end of a word** (Dutch, English, Turkish, Polish,
  Somali): an entry `stab+` stands for the word with each of the language's `endings` (with the
  usual spelling changes: a doubled consonant `stabbing`, a long vowel written once `steken`,
  a dropped e `choking`, y to i), an entry `öldür*` for every word that starts with it (Turkish
  k/p/t also before a softened ğ/b/d: `bıçak*` finds `bıçağı`).
- **Clitics, for languages that attach words to words** (Arabic, Arabizi, Tigrinya): a word is
  peeled, layer by layer and in every possible way, of the `prefixes` and `suffixes` its language
  allows (and, so, with, will, the, he/she...; me, him, her, them, not...), and each core that is
  left is looked up. `كيضربني`, `حيضربني`, `بيضربني` and `سيضربني` all hold `ضرب`. Arabizi and
  Tigrinya are compared as consonant skeletons (vowels written differently by everyone: `kaydrbni`,
  `kayedrebni`), Arabizi digits read as letters (3 ع, 7 ح, 9 and 2 ق); a Latin word is only read
  as Arabizi when it has an Arabizi digit or a clitic with a consonant in it (ni, ka, b, ch), so
  `doorbell` is not `drb`. An entry `!x`
  is `x` negated by a clitic (`ما...ش`): `!تنفس` is `مايتنفسش`, "not breathing". `=x` is the word
  exactly as written (normalised), without clitics or skeleton.
- **Phrases.** An entry is one word (a stem) or several (a phrase); each word may list
  alternatives with `|`, end in `?` when it may be left out, and `~` stands for up to three words
  of anything (`~1` for one). `slaat|sloeg ~ mijn ~ vrouw|kind`.
- **Harmless look-alikes first.** Each language lists phrases that look like danger and are not
  (`het licht brandt`, `killing time`, `ateşim var`); the words they cover are set aside before
  the danger entries are looked for, so only the rest of the message can still trigger.

Everything is compiled once: a message costs a normalisation, a dictionary look-up per word and
form, and a check of the few phrases whose first word was seen (bench/danger.py measures it).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# What the bot looks for; content/danger_words.toml uses these names.
CATEGORIES = (
    "violence",   # being hit, attacked, raped
    "threat",     # threats to kill
    "weapon",     # knife, gun, shooting, stabbing
    "fire",       # fire, smoke, explosion
    "gas",        # a gas leak
    "suicide",    # suicide and self-harm
    "breathing",  # someone not breathing, unconscious
    "child",      # a child in danger
    "domestic",   # domestic violence
    "medical",    # bleeding, overdose, heart attack, ambulance
    "break_in",   # a break-in happening
    "help",       # a cry for help
)
SCRIPTS = ("latin", "arabic", "ethiopic")
GAP = 3  # words `~` may stand for

_FIXED = {
    "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "æ": "ae", "œ": "oe",
    "ة": "ه", "ى": "ي", "ک": "ك", "ی": "ي", "ٱ": "ا", "ـ": "",
    "'": "", "’": "", "‘": "", "`": "", "´": "", "ʼ": "", "ʻ": "",
    "\u200b": "", "\u200c": "", "\u200d": "", "\u200e": "", "\u200f": "", "\ufeff": "",
    "\u202a": "", "\u202b": "", "\u202c": "", "\u202d": "", "\u202e": "",
    "\u2066": "", "\u2067": "", "\u2068": "", "\u2069": "",
}


class _Fold(dict[int, str]):
    """A str.translate table filled on first sight of each character: the character without
    its marks (NFKD, combining marks dropped), then the fixed foldings above."""

    def __missing__(self, code: int) -> str:
        c = chr(code)
        if c in _FIXED:
            out = _FIXED[c]
        else:
            out = "".join(d for d in unicodedata.normalize("NFKD", c)
                          if not unicodedata.combining(d) and unicodedata.category(d) != "Mn")
            out = "".join(_FIXED.get(d, d) for d in out)
        self[code] = out
        return out


_FOLD = _Fold()
_TOKEN = re.compile(r"[^\W_]+")
_RUN = re.compile(r"(.)\1{2,}")
_VOWELS = "aeiouy"
_NOT_DOUBLED = _VOWELS + "wxh"
_SOFT = {"k": "g", "p": "b", "t": "d"}  # Turkish: bıçak → bıçağı, kitap → kitabı, dört → dördü

# Arabizi: the letters Arabic has and Latin lacks, written with digits or pairs of letters
_AZ_PAIRS = (("ch", "š"), ("sh", "š"), ("gh", "ɣ"), ("kh", "5"), ("dj", "j"))
_AZ_DIGITS = str.maketrans({"9": "q", "2": "q", "8": "q"})
_AZ_VOWELS = re.compile(r"[aeiou]")
_AZ_DIGIT = re.compile(r"[235679]")
_DOUBLE = re.compile(r"(.)\1+")

# Ethiopic: one letter per consonant and vowel; the skeleton keeps the consonant
# rows of the same consonant: labialised (ቈ ኰ ጐ ...), the Tigrinya fricatives ቐ and ኸ (written
# for ቀ and ከ after a vowel: ቐተለ, ይቕተል), and letters that sound the same (ሠ ሰ, ፀ ጸ, ኀ ሐ)
_ETHI_ROW = {0x1248: 0x1240, 0x1250: 0x1240, 0x1258: 0x1240, 0x1288: 0x1210, 0x1280: 0x1210,
             0x12B0: 0x12A8, 0x12B8: 0x12A8, 0x12C0: 0x12A8, 0x1310: 0x1308, 0x1220: 0x1230,
             0x1340: 0x1338}


def normalise(text: str) -> str:
    """Lower case without diacritics, Arabic letter variants met, invisible marks gone."""
    return text.casefold().translate(_FOLD)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalise(text))


def script_of(word: str) -> str:
    o = ord(word[0])
    if 0x0600 <= o <= 0x08FF or 0xFB50 <= o <= 0xFEFF:
        return "arabic"
    if 0x1200 <= o <= 0x139F or 0x2D80 <= o <= 0x2DDF or 0xAB00 <= o <= 0xAB2F:
        return "ethiopic"
    return "latin"


def arabizi_skeleton(word: str) -> str:
    for pair, letter in _AZ_PAIRS:
        word = word.replace(pair, letter)
    word = word.translate(_AZ_DIGITS)
    if len(word) > 1 and word.endswith("y"):
        word = word[:-1]  # a final y is the vowel i: darbny
    return _DOUBLE.sub(r"\1", _AZ_VOWELS.sub("", word))


def ethiopic_skeleton(word: str) -> str:
    out = []
    for c in word:
        o = ord(c)
        if 0x1200 <= o <= 0x135A:
            o -= o % 8
            o = _ETHI_ROW.get(o, o)
        out.append(chr(o))
    return "".join(out)


@dataclass(frozen=True)
class Hit:
    """What matched: the language and category of the entry, the entry as written, and the
    words of the message it covered (normalised)."""

    lang: str
    category: str
    entry: str
    words: str


# -- languages ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Clitics:
    prefixes: tuple[tuple[str, ...], ...]  # layers, outermost first
    suffixes: tuple[tuple[str, ...], ...]  # layers, the word's last first
    negation: frozenset[str]
    min_core: int


@dataclass(frozen=True)
class _Lang:
    code: str
    script: str
    skeleton: str | None  # "arabizi" | "ethiopic"
    clitics: _Clitics | None
    endings: tuple[str, ...]
    prefixed: tuple[str, ...]
    soften: bool
    min_stem: int
    needs_evidence: bool  # Latin words are read as Arabizi only with a clitic or a digit

    def shape(self, word: str) -> str:
        if self.skeleton == "arabizi":
            return arabizi_skeleton(word)
        if self.skeleton == "ethiopic":
            return ethiopic_skeleton(word)
        return word

    def key(self, core: str, negated: bool = False) -> str:
        return f"{self.code}{'!' if negated else ''}:{core}"


def _one_word(text: str, where: str) -> str:
    found = tokens(text)
    if len(found) != 1:
        raise ValueError(f"{where}: {text!r} is not one word")
    return found[0]


def _layers(lang_code: str, raw: Any, shape: Any, name: str) -> tuple[tuple[str, ...], ...]:
    layers = []
    for layer in raw or []:
        if not isinstance(layer, list):
            raise ValueError(f"danger words [{lang_code}] {name}: a list of lists")
        shaped = {shape(_one_word(a, f"[{lang_code}] {name}")) for a in layer}
        layers.append(tuple(sorted(a for a in shaped if a)))
    return tuple(layers)


def _language(code: str, raw: Mapping[str, Any]) -> _Lang:
    script = raw.get("script", "latin")
    if script not in SCRIPTS:
        raise ValueError(f"danger words [{code}]: unknown script {script!r}")
    skeleton = ("arabizi" if script == "latin" else "ethiopic") if raw.get("skeleton") else None
    # Arabizi is peeled as typed (its vowels tell clitics apart), Tigrinya as a skeleton
    probe = _Lang(code, script, skeleton if skeleton == "ethiopic" else None, None, (), (),
                  False, 3, False)
    clitics = None
    if "prefixes" in raw or "suffixes" in raw:
        negation = {probe.shape(_one_word(n, f"[{code}] negation"))
                    for n in raw.get("negation", [])}
        clitics = _Clitics(_layers(code, raw.get("prefixes"), probe.shape, "prefixes"),
                           _layers(code, raw.get("suffixes"), probe.shape, "suffixes"),
                           frozenset(negation), int(raw.get("min_core", 2)))
    return _Lang(
        code=code, script=script, skeleton=skeleton, clitics=clitics,
        endings=tuple(normalise(e) for e in raw.get("endings", [])),
        prefixed=tuple(normalise(p) for p in raw.get("prefixed", [])),
        soften=bool(raw.get("soften", False)), min_stem=int(raw.get("min_stem", 3)),
        needs_evidence=skeleton == "arabizi",
    )


def _inflect(word: str, lang: _Lang) -> set[str]:
    """A stem with each of its language's endings, spelled the way the language spells them."""
    forms = {word}
    for e in lang.endings:
        forms.add(word + e)
        if e[:1] in _VOWELS:
            if (len(word) >= 3 and word[-1] not in _NOT_DOUBLED and word[-2] in _VOWELS
                    and word[-3] not in _VOWELS):
                forms.add(word + word[-1] + e)  # stab → stabbing, mes → messen
            if (len(word) >= 3 and word[-1] not in _VOWELS and word[-2] == word[-3]
                    and word[-2] in "aeou"):
                base = word[:-2] + word[-1]  # steek → steken, slaap → slapen
                forms.add(base + e)
                forms.add(base[:-1] + {"f": "v", "s": "z"}.get(base[-1], base[-1]) + e)
            if word.endswith("e"):
                forms.add(word[:-1] + e)  # choke → choking
        if (word.endswith("y") and len(word) >= 3 and word[-2] not in _VOWELS
                and e[:1] == "e"):
            forms.add(word[:-1] + "i" + e)  # cry → cries
    for p in lang.prefixed:
        forms |= {p + f for f in list(forms)}  # ge-: geslagen, gestoken
    return forms


# -- entries --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Slot:
    keys: frozenset[str]
    prefixes: frozenset[str]
    prefix_lens: tuple[int, ...]
    optional: bool = False
    gap: int = 0  # a gap: up to `gap` words of anything


@dataclass(frozen=True)
class _Entry:
    lang: str
    category: str  # "" for a harmless entry
    text: str
    slots: tuple[_Slot, ...]


def _alternative(lang: _Lang, alt: str, where: str, single: bool) -> tuple[set[str], set[str]]:
    """The keys and prefixes one alternative of a slot stands for."""
    exact, negated = alt.startswith("="), alt.startswith("!")
    body = alt[1:] if exact or negated else alt
    inflect, prefix = body.endswith("+"), body.endswith("*")
    body = body[:-1] if inflect or prefix else body
    word = _one_word(body, where)
    if exact:
        return {word}, set()
    if lang.clitics is not None:
        if inflect or prefix:
            raise ValueError(f"{where}: {alt!r}: + and * are for languages without clitics")
        core = lang.shape(word)
        if lang.script == "arabic" and core.startswith("ال") and len(core) > 4:
            core = core[2:]  # the article is peeled off the message's words too
        if single and len(core) < lang.min_stem and not negated:
            raise ValueError(f"{where}: {alt!r} is too short to stand alone")
        return {lang.key(core, negated)}, set()
    if negated:
        raise ValueError(f"{where}: {alt!r}: ! is for languages with clitics")
    if prefix:
        if len(word) < 3:
            raise ValueError(f"{where}: {alt!r} is too short for a prefix")
        starts = {word}
        if lang.soften and word[-1] in _SOFT:
            starts.add(word[:-1] + _SOFT[word[-1]])
        return set(), starts
    return (_inflect(word, lang) if inflect else {word}), set()


def _entry(lang: _Lang, category: str, text: str, where: str) -> _Entry:
    slots: list[_Slot] = []
    parts = text.split()
    for part in parts:
        if part.startswith("~"):
            n = int(part[1:] or GAP)
            slots.append(_Slot(frozenset(), frozenset(), (), gap=n))
            continue
        optional = part.endswith("?")
        part = part[:-1] if optional else part
        keys: set[str] = set()
        starts: set[str] = set()
        for alt in part.split("|"):
            k, p = _alternative(lang, alt, where, single=len(parts) == 1)
            keys |= k
            starts |= p
        slots.append(_Slot(frozenset(keys), frozenset(starts),
                           tuple(sorted({len(s) for s in starts})), optional))
    if not slots or slots[0].gap or slots[0].optional or slots[-1].gap:
        raise ValueError(f"{where}: {text!r}: start with a word, end with a word")
    return _Entry(lang.code, category, text, tuple(slots))


# -- the message ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Word:
    keys: frozenset[str]
    forms: tuple[str, ...]  # the word as typed (normalised) and with repeats squeezed
    danger: tuple[_Entry, ...] = ()  # the entries whose first word this can be
    harmless: tuple[_Entry, ...] = ()


def _hits(slot: _Slot, word: _Word) -> bool:
    if not slot.keys.isdisjoint(word.keys):
        return True
    return any(f[:n] in slot.prefixes for n in slot.prefix_lens for f in word.forms
               if len(f) >= n)


def _match(slots: Sequence[_Slot], i: int, words: Sequence[_Word], masked: Sequence[bool],
           pos: int) -> int | None:
    """The end (exclusive) of a match of slots[i:] starting at words[pos], or None."""
    if i == len(slots):
        return pos
    slot = slots[i]
    if slot.gap:
        for skip in range(slot.gap + 1):
            if pos + skip > len(words) or (skip and masked[pos + skip - 1]):
                break
            end = _match(slots, i + 1, words, masked, pos + skip)
            if end is not None:
                return end
        return None
    if pos < len(words) and not masked[pos] and _hits(slot, words[pos]):
        end = _match(slots, i + 1, words, masked, pos + 1)
        if end is not None:
            return end
    if slot.optional:
        return _match(slots, i + 1, words, masked, pos)
    return None


class _Index:
    """Entries by the keys and prefixes of their first word, so a message only tries the few
    entries whose first word it contains."""

    def __init__(self, entries: Iterable[_Entry]) -> None:
        self.by_key: dict[str, list[_Entry]] = {}
        self.by_prefix: dict[str, list[_Entry]] = {}
        lens: set[int] = set()
        for entry in entries:
            first = entry.slots[0]
            for k in first.keys:
                self.by_key.setdefault(k, []).append(entry)
            for p in first.prefixes:
                self.by_prefix.setdefault(p, []).append(entry)
                lens.add(len(p))
        self.prefix_lens = tuple(sorted(lens))

    def candidates(self, keys: Iterable[str], forms: Iterable[str]) -> tuple[_Entry, ...]:
        found: dict[int, _Entry] = {}
        for k in keys:
            for entry in self.by_key.get(k, ()):
                found.setdefault(id(entry), entry)
        for f in forms:
            for n in self.prefix_lens:
                if n > len(f):
                    break
                for entry in self.by_prefix.get(f[:n], ()):
                    found.setdefault(id(entry), entry)
        return tuple(found.values())


def _find(words: Sequence[_Word], masked: Sequence[bool],
          harmless: bool) -> Iterator[tuple[_Entry, int, int]]:
    for pos, word in enumerate(words):
        if masked[pos]:
            continue
        for entry in word.harmless if harmless else word.danger:
            end = _match(entry.slots, 0, words, masked, pos)
            if end is not None:
                yield entry, pos, end


class DangerMatcher:
    """Built once from the parsed danger_words.toml; `match` is pure and cheap."""

    CACHE = 20000  # words remembered with their keys (the same words come back all day)

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.languages: dict[str, _Lang] = {}
        danger: list[_Entry] = []
        harmless: list[_Entry] = []
        for code, raw in data.items():
            if not isinstance(raw, Mapping):
                continue
            lang = _language(code, raw)
            self.languages[code] = lang
            for kind in ("stems", "phrases"):
                for category, entries in raw.get(kind, {}).items():
                    if category not in CATEGORIES:
                        raise ValueError(f"danger words [{code}.{kind}]: unknown category "
                                         f"{category!r}")
                    for text in entries:
                        where = f"danger words [{code}.{kind}] {category}"
                        entry = _entry(lang, category, text, where)
                        if (kind == "stems") != (len(entry.slots) == 1):
                            raise ValueError(f"{where}: {text!r}: one word in stems, more in "
                                             f"phrases")
                        danger.append(entry)
            for text in raw.get("harmless", []):
                harmless.append(_entry(lang, "", text, f"danger words [{code}] harmless"))
        self.entries = tuple(danger)
        self.harmless = tuple(harmless)
        self._danger = _Index(danger)
        self._harmless = _Index(harmless)
        self._analysed: dict[str, tuple[_Lang, ...]] = {
            script: tuple(lang for lang in self.languages.values()
                          if lang.clitics is not None and lang.script == script)
            for script in SCRIPTS
        }
        self._cache: dict[str, _Word] = {}

    def categories(self, lang: str) -> set[str]:
        return {e.category for e in self.entries if e.lang == lang}

    # -- one word ---------------------------------------------------------------------------------
    def _word(self, token: str) -> _Word:
        word = self._cache.get(token)
        if word is None:
            if len(self._cache) >= self.CACHE:
                self._cache.clear()
            word = self._cache[token] = self._analyse(token)
        return word

    def _analyse(self, token: str) -> _Word:
        forms = [token]
        if _RUN.search(token):
            forms += [_RUN.sub(r"\1\1", token), _RUN.sub(r"\1", token)]
        keys: set[str] = set(forms)
        script = script_of(token)
        for lang in self._analysed[script]:
            for form in forms:
                if lang.needs_evidence and form.isdigit():
                    continue
                keys.update(self._cores(lang, form))
        return _Word(frozenset(keys), tuple(forms), self._danger.candidates(keys, forms),
                     self._harmless.candidates(keys, forms))

    @staticmethod
    def _cores(lang: _Lang, form: str) -> Iterator[str]:
        """Every way to peel the word of its language's clitics, as keys."""
        clitics = lang.clitics
        assert clitics is not None
        if lang.skeleton == "arabizi":
            yield from DangerMatcher._arabizi_cores(lang, clitics, form)
            return
        word = lang.shape(form)
        starts = _peel(word, clitics.prefixes, clitics, front=True)
        ends = _peel(word, clitics.suffixes, clitics, front=False)
        for i, neg_i in starts.items():
            for j, neg_j in ends.items():
                if j - i >= clitics.min_core:
                    core = word[i:j]
                    yield lang.key(core)
                    if neg_i or neg_j:
                        yield lang.key(core, negated=True)

    @staticmethod
    def _arabizi_cores(lang: _Lang, clitics: _Clitics, form: str) -> Iterator[str]:
        """Arabizi is peeled as typed, then compared as a skeleton; a word with neither a
        clitic nor an Arabizi digit is not taken for Arabizi (`doorbell` is not `drb`)."""
        digit = _AZ_DIGIT.search(form) is not None
        starts = _peel(form, clitics.prefixes, clitics, front=True)
        ends = _peel(form, clitics.suffixes, clitics, front=False)
        for i, neg_i in starts.items():
            for j, neg_j in ends.items():
                # a clitic counts as a sign of Arabizi when it has a consonant: ni, ka, b, ch
                if j - i < 2 or not (digit or _AZ_VOWELS.sub("", form[:i] + form[j:])):
                    continue
                core = arabizi_skeleton(form[i:j])
                if len(core) >= clitics.min_core:
                    yield lang.key(core)
                    if neg_i or neg_j:
                        yield lang.key(core, negated=True)

    # -- a message --------------------------------------------------------------------------------
    def match(self, text: str) -> Hit | None:
        """The first danger entry the text holds, after setting aside harmless look-alikes."""
        found = tokens(text)
        if not found:
            return None
        words = [self._word(t) for t in found]
        masked = [False] * len(words)
        if any(w.harmless for w in words):
            for _, start, end in _find(words, [False] * len(words), harmless=True):
                for k in range(start, end):
                    masked[k] = True
        for entry, start, end in _find(words, masked, harmless=False):
            return Hit(entry.lang, entry.category, entry.text, " ".join(found[start:end]))
        return None

    def found(self, text: str) -> bool:
        return self.match(text) is not None


def _peel(word: str, layers: Sequence[Sequence[str]], clitics: _Clitics,
          front: bool) -> dict[int, bool]:
    """Where the core may start (front) or end, each with whether a negation was peeled."""
    if front:
        at: dict[int, bool] = {0: False}
        for layer in layers:
            for i, neg in list(at.items()):
                for a in layer:
                    if word.startswith(a, i) and len(word) - i - len(a) >= clitics.min_core:
                        j = i + len(a)
                        at[j] = at.get(j, False) or neg or a in clitics.negation
        return at
    at = {len(word): False}
    for layer in layers:
        for j, neg in list(at.items()):
            for a in layer:
                if word.endswith(a, 0, j) and j - len(a) >= clitics.min_core:
                    i = j - len(a)
                    at[i] = at.get(i, False) or neg or a in clitics.negation
    return at
