//! The character classes, the folding table and the rules' building blocks behind
//! [`AuditLabel`](crate::AuditLabel), written once.
//!
//! The database guard `private.pause_reason_is_allowed` (migration
//! `20261201120000_protect_pause_reasons`) applies the same rules to every stored pause
//! reason. Its helper functions return this module's data (`private.label_whitespace()`,
//! `label_invisible_class()`, `label_non_ascii_digit_class()`, `label_letter_class()`,
//! `label_fold_from()`, `label_fold_to()`, `label_health_stems()`, `label_health_words()`,
//! `label_reason_codes()`); `tests/it/label_guard.rs` checks each against this module
//! ([`sql_class`], [`fold_from`], [`fold_to`]) and runs a differential test of the two
//! implementations.
//!
//! Everything is an explicit table rather than a Unicode property of the standard library
//! (`char::is_numeric`, `is_alphanumeric`, `to_lowercase`): PostgreSQL's `lower()` and regex
//! classes depend on the database's locale, explicit tables do not. The tables were
//! generated from Unicode 14 (general categories `Nd`, `Nl`, `No`; NFKD for the folding).

/// What [`str::trim`] trims: Unicode `White_Space` (checked against `char::is_whitespace`).
pub const WHITESPACE: &[char] = &[
    '\u{9}', '\u{A}', '\u{B}', '\u{C}', '\u{D}', '\u{20}', '\u{85}', '\u{A0}', '\u{1680}',
    '\u{2000}', '\u{2001}', '\u{2002}', '\u{2003}', '\u{2004}', '\u{2005}', '\u{2006}', '\u{2007}',
    '\u{2008}', '\u{2009}', '\u{200A}', '\u{2028}', '\u{2029}', '\u{202F}', '\u{205F}', '\u{3000}',
];

/// Control characters (`Cc`) and invisible formatting characters (zero-width space and
/// joiners, bidirectional controls, soft hyphen, word joiner, BOM, Hangul fillers, tags, …)
/// that could hide digits or words: a label must not contain any.
pub const INVISIBLE: &[(char, char)] = &[
    ('\u{0}', '\u{1F}'),
    ('\u{7F}', '\u{9F}'),
    ('\u{AD}', '\u{AD}'),
    ('\u{34F}', '\u{34F}'),
    ('\u{61C}', '\u{61C}'),
    ('\u{115F}', '\u{1160}'),
    ('\u{17B4}', '\u{17B5}'),
    ('\u{180B}', '\u{180F}'),
    ('\u{200B}', '\u{200F}'),
    ('\u{2028}', '\u{202E}'),
    ('\u{2060}', '\u{206F}'),
    ('\u{3164}', '\u{3164}'),
    ('\u{FEFF}', '\u{FEFF}'),
    ('\u{FFA0}', '\u{FFA0}'),
    ('\u{FFF0}', '\u{FFFB}'),
    ('\u{1D173}', '\u{1D17A}'),
    ('\u{E0000}', '\u{E0FFF}'),
];

/// Letters beyond ASCII that count as letters for the rules (word boundaries, e-mail
/// addresses): Latin-1 Supplement and Latin Extended-A/B letters (`×` and `÷` are not).
/// Other scripts count as separators; the rules are tuned for Norwegian and English.
pub const LETTERS: &[(char, char)] = &[
    ('\u{C0}', '\u{D6}'),
    ('\u{D8}', '\u{F6}'),
    ('\u{F8}', '\u{24F}'),
];

/// Combining diacritical marks, removed before the health terms are compared
/// (`kre\u{301}ft` is `kreft`).
pub const COMBINING_MARKS: (char, char) = ('\u{300}', '\u{36F}');

/// Every digit and numeral except ASCII `0`-`9` (general categories `Nd`, `Nl`, `No`:
/// Arabic-Indic, Devanagari, full-width, mathematical, superscripts, circled, Roman, …):
/// a label must not contain any, so no number can be written past the digit rules.
pub const NON_ASCII_DIGITS: &[(char, char)] = &[
    ('\u{B2}', '\u{B3}'),
    ('\u{B9}', '\u{B9}'),
    ('\u{BC}', '\u{BE}'),
    ('\u{660}', '\u{669}'),
    ('\u{6F0}', '\u{6F9}'),
    ('\u{7C0}', '\u{7C9}'),
    ('\u{966}', '\u{96F}'),
    ('\u{9E6}', '\u{9EF}'),
    ('\u{9F4}', '\u{9F9}'),
    ('\u{A66}', '\u{A6F}'),
    ('\u{AE6}', '\u{AEF}'),
    ('\u{B66}', '\u{B6F}'),
    ('\u{B72}', '\u{B77}'),
    ('\u{BE6}', '\u{BF2}'),
    ('\u{C66}', '\u{C6F}'),
    ('\u{C78}', '\u{C7E}'),
    ('\u{CE6}', '\u{CEF}'),
    ('\u{D58}', '\u{D5E}'),
    ('\u{D66}', '\u{D78}'),
    ('\u{DE6}', '\u{DEF}'),
    ('\u{E50}', '\u{E59}'),
    ('\u{ED0}', '\u{ED9}'),
    ('\u{F20}', '\u{F33}'),
    ('\u{1040}', '\u{1049}'),
    ('\u{1090}', '\u{1099}'),
    ('\u{1369}', '\u{137C}'),
    ('\u{16EE}', '\u{16F0}'),
    ('\u{17E0}', '\u{17E9}'),
    ('\u{17F0}', '\u{17F9}'),
    ('\u{1810}', '\u{1819}'),
    ('\u{1946}', '\u{194F}'),
    ('\u{19D0}', '\u{19DA}'),
    ('\u{1A80}', '\u{1A89}'),
    ('\u{1A90}', '\u{1A99}'),
    ('\u{1B50}', '\u{1B59}'),
    ('\u{1BB0}', '\u{1BB9}'),
    ('\u{1C40}', '\u{1C49}'),
    ('\u{1C50}', '\u{1C59}'),
    ('\u{2070}', '\u{2070}'),
    ('\u{2074}', '\u{2079}'),
    ('\u{2080}', '\u{2089}'),
    ('\u{2150}', '\u{2182}'),
    ('\u{2185}', '\u{2189}'),
    ('\u{2460}', '\u{249B}'),
    ('\u{24EA}', '\u{24FF}'),
    ('\u{2776}', '\u{2793}'),
    ('\u{2CFD}', '\u{2CFD}'),
    ('\u{3007}', '\u{3007}'),
    ('\u{3021}', '\u{3029}'),
    ('\u{3038}', '\u{303A}'),
    ('\u{3192}', '\u{3195}'),
    ('\u{3220}', '\u{3229}'),
    ('\u{3248}', '\u{324F}'),
    ('\u{3251}', '\u{325F}'),
    ('\u{3280}', '\u{3289}'),
    ('\u{32B1}', '\u{32BF}'),
    ('\u{A620}', '\u{A629}'),
    ('\u{A6E6}', '\u{A6EF}'),
    ('\u{A830}', '\u{A835}'),
    ('\u{A8D0}', '\u{A8D9}'),
    ('\u{A900}', '\u{A909}'),
    ('\u{A9D0}', '\u{A9D9}'),
    ('\u{A9F0}', '\u{A9F9}'),
    ('\u{AA50}', '\u{AA59}'),
    ('\u{ABF0}', '\u{ABF9}'),
    ('\u{FF10}', '\u{FF19}'),
    ('\u{10107}', '\u{10133}'),
    ('\u{10140}', '\u{10178}'),
    ('\u{1018A}', '\u{1018B}'),
    ('\u{102E1}', '\u{102FB}'),
    ('\u{10320}', '\u{10323}'),
    ('\u{10341}', '\u{10341}'),
    ('\u{1034A}', '\u{1034A}'),
    ('\u{103D1}', '\u{103D5}'),
    ('\u{104A0}', '\u{104A9}'),
    ('\u{10858}', '\u{1085F}'),
    ('\u{10879}', '\u{1087F}'),
    ('\u{108A7}', '\u{108AF}'),
    ('\u{108FB}', '\u{108FF}'),
    ('\u{10916}', '\u{1091B}'),
    ('\u{109BC}', '\u{109BD}'),
    ('\u{109C0}', '\u{109CF}'),
    ('\u{109D2}', '\u{109FF}'),
    ('\u{10A40}', '\u{10A48}'),
    ('\u{10A7D}', '\u{10A7E}'),
    ('\u{10A9D}', '\u{10A9F}'),
    ('\u{10AEB}', '\u{10AEF}'),
    ('\u{10B58}', '\u{10B5F}'),
    ('\u{10B78}', '\u{10B7F}'),
    ('\u{10BA9}', '\u{10BAF}'),
    ('\u{10CFA}', '\u{10CFF}'),
    ('\u{10D30}', '\u{10D39}'),
    ('\u{10E60}', '\u{10E7E}'),
    ('\u{10F1D}', '\u{10F26}'),
    ('\u{10F51}', '\u{10F54}'),
    ('\u{10FC5}', '\u{10FCB}'),
    ('\u{11052}', '\u{1106F}'),
    ('\u{110F0}', '\u{110F9}'),
    ('\u{11136}', '\u{1113F}'),
    ('\u{111D0}', '\u{111D9}'),
    ('\u{111E1}', '\u{111F4}'),
    ('\u{112F0}', '\u{112F9}'),
    ('\u{11450}', '\u{11459}'),
    ('\u{114D0}', '\u{114D9}'),
    ('\u{11650}', '\u{11659}'),
    ('\u{116C0}', '\u{116C9}'),
    ('\u{11730}', '\u{1173B}'),
    ('\u{118E0}', '\u{118F2}'),
    ('\u{11950}', '\u{11959}'),
    ('\u{11C50}', '\u{11C6C}'),
    ('\u{11D50}', '\u{11D59}'),
    ('\u{11DA0}', '\u{11DA9}'),
    ('\u{11FC0}', '\u{11FD4}'),
    ('\u{12400}', '\u{1246E}'),
    ('\u{16A60}', '\u{16A69}'),
    ('\u{16AC0}', '\u{16AC9}'),
    ('\u{16B50}', '\u{16B59}'),
    ('\u{16B5B}', '\u{16B61}'),
    ('\u{16E80}', '\u{16E96}'),
    ('\u{1D2E0}', '\u{1D2F3}'),
    ('\u{1D360}', '\u{1D378}'),
    ('\u{1D7CE}', '\u{1D7FF}'),
    ('\u{1E140}', '\u{1E149}'),
    ('\u{1E2F0}', '\u{1E2F9}'),
    ('\u{1E8C7}', '\u{1E8CF}'),
    ('\u{1E950}', '\u{1E959}'),
    ('\u{1EC71}', '\u{1ECAB}'),
    ('\u{1ECAD}', '\u{1ECAF}'),
    ('\u{1ECB1}', '\u{1ECB4}'),
    ('\u{1ED01}', '\u{1ED2D}'),
    ('\u{1ED2F}', '\u{1ED3D}'),
    ('\u{1F100}', '\u{1F10C}'),
    ('\u{1FBF0}', '\u{1FBF9}'),
];

/// Case and accent folding before the health terms are compared, sorted by the first
/// character: ASCII and full-width capitals to lower case, accented Latin letters to their
/// base letter (`é` → `e`, `Ü` → `u`), `Æ`/`Ø`/`Å` to `æ`/`ø`/`å` (Norwegian letters of their
/// own), other Latin capitals to their lower case.
pub const FOLD: &[(char, char)] = &[
    ('\u{41}', '\u{61}'),
    ('\u{42}', '\u{62}'),
    ('\u{43}', '\u{63}'),
    ('\u{44}', '\u{64}'),
    ('\u{45}', '\u{65}'),
    ('\u{46}', '\u{66}'),
    ('\u{47}', '\u{67}'),
    ('\u{48}', '\u{68}'),
    ('\u{49}', '\u{69}'),
    ('\u{4A}', '\u{6A}'),
    ('\u{4B}', '\u{6B}'),
    ('\u{4C}', '\u{6C}'),
    ('\u{4D}', '\u{6D}'),
    ('\u{4E}', '\u{6E}'),
    ('\u{4F}', '\u{6F}'),
    ('\u{50}', '\u{70}'),
    ('\u{51}', '\u{71}'),
    ('\u{52}', '\u{72}'),
    ('\u{53}', '\u{73}'),
    ('\u{54}', '\u{74}'),
    ('\u{55}', '\u{75}'),
    ('\u{56}', '\u{76}'),
    ('\u{57}', '\u{77}'),
    ('\u{58}', '\u{78}'),
    ('\u{59}', '\u{79}'),
    ('\u{5A}', '\u{7A}'),
    ('\u{C0}', '\u{61}'),
    ('\u{C1}', '\u{61}'),
    ('\u{C2}', '\u{61}'),
    ('\u{C3}', '\u{61}'),
    ('\u{C4}', '\u{61}'),
    ('\u{C5}', '\u{E5}'),
    ('\u{C6}', '\u{E6}'),
    ('\u{C7}', '\u{63}'),
    ('\u{C8}', '\u{65}'),
    ('\u{C9}', '\u{65}'),
    ('\u{CA}', '\u{65}'),
    ('\u{CB}', '\u{65}'),
    ('\u{CC}', '\u{69}'),
    ('\u{CD}', '\u{69}'),
    ('\u{CE}', '\u{69}'),
    ('\u{CF}', '\u{69}'),
    ('\u{D0}', '\u{F0}'),
    ('\u{D1}', '\u{6E}'),
    ('\u{D2}', '\u{6F}'),
    ('\u{D3}', '\u{6F}'),
    ('\u{D4}', '\u{6F}'),
    ('\u{D5}', '\u{6F}'),
    ('\u{D6}', '\u{6F}'),
    ('\u{D8}', '\u{F8}'),
    ('\u{D9}', '\u{75}'),
    ('\u{DA}', '\u{75}'),
    ('\u{DB}', '\u{75}'),
    ('\u{DC}', '\u{75}'),
    ('\u{DD}', '\u{79}'),
    ('\u{DE}', '\u{FE}'),
    ('\u{E0}', '\u{61}'),
    ('\u{E1}', '\u{61}'),
    ('\u{E2}', '\u{61}'),
    ('\u{E3}', '\u{61}'),
    ('\u{E4}', '\u{61}'),
    ('\u{E7}', '\u{63}'),
    ('\u{E8}', '\u{65}'),
    ('\u{E9}', '\u{65}'),
    ('\u{EA}', '\u{65}'),
    ('\u{EB}', '\u{65}'),
    ('\u{EC}', '\u{69}'),
    ('\u{ED}', '\u{69}'),
    ('\u{EE}', '\u{69}'),
    ('\u{EF}', '\u{69}'),
    ('\u{F1}', '\u{6E}'),
    ('\u{F2}', '\u{6F}'),
    ('\u{F3}', '\u{6F}'),
    ('\u{F4}', '\u{6F}'),
    ('\u{F5}', '\u{6F}'),
    ('\u{F6}', '\u{6F}'),
    ('\u{F9}', '\u{75}'),
    ('\u{FA}', '\u{75}'),
    ('\u{FB}', '\u{75}'),
    ('\u{FC}', '\u{75}'),
    ('\u{FD}', '\u{79}'),
    ('\u{FF}', '\u{79}'),
    ('\u{100}', '\u{61}'),
    ('\u{101}', '\u{61}'),
    ('\u{102}', '\u{61}'),
    ('\u{103}', '\u{61}'),
    ('\u{104}', '\u{61}'),
    ('\u{105}', '\u{61}'),
    ('\u{106}', '\u{63}'),
    ('\u{107}', '\u{63}'),
    ('\u{108}', '\u{63}'),
    ('\u{109}', '\u{63}'),
    ('\u{10A}', '\u{63}'),
    ('\u{10B}', '\u{63}'),
    ('\u{10C}', '\u{63}'),
    ('\u{10D}', '\u{63}'),
    ('\u{10E}', '\u{64}'),
    ('\u{10F}', '\u{64}'),
    ('\u{110}', '\u{111}'),
    ('\u{112}', '\u{65}'),
    ('\u{113}', '\u{65}'),
    ('\u{114}', '\u{65}'),
    ('\u{115}', '\u{65}'),
    ('\u{116}', '\u{65}'),
    ('\u{117}', '\u{65}'),
    ('\u{118}', '\u{65}'),
    ('\u{119}', '\u{65}'),
    ('\u{11A}', '\u{65}'),
    ('\u{11B}', '\u{65}'),
    ('\u{11C}', '\u{67}'),
    ('\u{11D}', '\u{67}'),
    ('\u{11E}', '\u{67}'),
    ('\u{11F}', '\u{67}'),
    ('\u{120}', '\u{67}'),
    ('\u{121}', '\u{67}'),
    ('\u{122}', '\u{67}'),
    ('\u{123}', '\u{67}'),
    ('\u{124}', '\u{68}'),
    ('\u{125}', '\u{68}'),
    ('\u{126}', '\u{127}'),
    ('\u{128}', '\u{69}'),
    ('\u{129}', '\u{69}'),
    ('\u{12A}', '\u{69}'),
    ('\u{12B}', '\u{69}'),
    ('\u{12C}', '\u{69}'),
    ('\u{12D}', '\u{69}'),
    ('\u{12E}', '\u{69}'),
    ('\u{12F}', '\u{69}'),
    ('\u{130}', '\u{69}'),
    ('\u{132}', '\u{133}'),
    ('\u{134}', '\u{6A}'),
    ('\u{135}', '\u{6A}'),
    ('\u{136}', '\u{6B}'),
    ('\u{137}', '\u{6B}'),
    ('\u{139}', '\u{6C}'),
    ('\u{13A}', '\u{6C}'),
    ('\u{13B}', '\u{6C}'),
    ('\u{13C}', '\u{6C}'),
    ('\u{13D}', '\u{6C}'),
    ('\u{13E}', '\u{6C}'),
    ('\u{13F}', '\u{140}'),
    ('\u{141}', '\u{142}'),
    ('\u{143}', '\u{6E}'),
    ('\u{144}', '\u{6E}'),
    ('\u{145}', '\u{6E}'),
    ('\u{146}', '\u{6E}'),
    ('\u{147}', '\u{6E}'),
    ('\u{148}', '\u{6E}'),
    ('\u{14A}', '\u{14B}'),
    ('\u{14C}', '\u{6F}'),
    ('\u{14D}', '\u{6F}'),
    ('\u{14E}', '\u{6F}'),
    ('\u{14F}', '\u{6F}'),
    ('\u{150}', '\u{6F}'),
    ('\u{151}', '\u{6F}'),
    ('\u{152}', '\u{153}'),
    ('\u{154}', '\u{72}'),
    ('\u{155}', '\u{72}'),
    ('\u{156}', '\u{72}'),
    ('\u{157}', '\u{72}'),
    ('\u{158}', '\u{72}'),
    ('\u{159}', '\u{72}'),
    ('\u{15A}', '\u{73}'),
    ('\u{15B}', '\u{73}'),
    ('\u{15C}', '\u{73}'),
    ('\u{15D}', '\u{73}'),
    ('\u{15E}', '\u{73}'),
    ('\u{15F}', '\u{73}'),
    ('\u{160}', '\u{73}'),
    ('\u{161}', '\u{73}'),
    ('\u{162}', '\u{74}'),
    ('\u{163}', '\u{74}'),
    ('\u{164}', '\u{74}'),
    ('\u{165}', '\u{74}'),
    ('\u{166}', '\u{167}'),
    ('\u{168}', '\u{75}'),
    ('\u{169}', '\u{75}'),
    ('\u{16A}', '\u{75}'),
    ('\u{16B}', '\u{75}'),
    ('\u{16C}', '\u{75}'),
    ('\u{16D}', '\u{75}'),
    ('\u{16E}', '\u{75}'),
    ('\u{16F}', '\u{75}'),
    ('\u{170}', '\u{75}'),
    ('\u{171}', '\u{75}'),
    ('\u{172}', '\u{75}'),
    ('\u{173}', '\u{75}'),
    ('\u{174}', '\u{77}'),
    ('\u{175}', '\u{77}'),
    ('\u{176}', '\u{79}'),
    ('\u{177}', '\u{79}'),
    ('\u{178}', '\u{79}'),
    ('\u{179}', '\u{7A}'),
    ('\u{17A}', '\u{7A}'),
    ('\u{17B}', '\u{7A}'),
    ('\u{17C}', '\u{7A}'),
    ('\u{17D}', '\u{7A}'),
    ('\u{17E}', '\u{7A}'),
    ('\u{17F}', '\u{73}'),
    ('\u{181}', '\u{253}'),
    ('\u{182}', '\u{183}'),
    ('\u{184}', '\u{185}'),
    ('\u{186}', '\u{254}'),
    ('\u{187}', '\u{188}'),
    ('\u{189}', '\u{256}'),
    ('\u{18A}', '\u{257}'),
    ('\u{18B}', '\u{18C}'),
    ('\u{18E}', '\u{1DD}'),
    ('\u{18F}', '\u{259}'),
    ('\u{190}', '\u{25B}'),
    ('\u{191}', '\u{192}'),
    ('\u{193}', '\u{260}'),
    ('\u{194}', '\u{263}'),
    ('\u{196}', '\u{269}'),
    ('\u{197}', '\u{268}'),
    ('\u{198}', '\u{199}'),
    ('\u{19C}', '\u{26F}'),
    ('\u{19D}', '\u{272}'),
    ('\u{19F}', '\u{275}'),
    ('\u{1A0}', '\u{6F}'),
    ('\u{1A1}', '\u{6F}'),
    ('\u{1A2}', '\u{1A3}'),
    ('\u{1A4}', '\u{1A5}'),
    ('\u{1A6}', '\u{280}'),
    ('\u{1A7}', '\u{1A8}'),
    ('\u{1A9}', '\u{283}'),
    ('\u{1AC}', '\u{1AD}'),
    ('\u{1AE}', '\u{288}'),
    ('\u{1AF}', '\u{75}'),
    ('\u{1B0}', '\u{75}'),
    ('\u{1B1}', '\u{28A}'),
    ('\u{1B2}', '\u{28B}'),
    ('\u{1B3}', '\u{1B4}'),
    ('\u{1B5}', '\u{1B6}'),
    ('\u{1B7}', '\u{292}'),
    ('\u{1B8}', '\u{1B9}'),
    ('\u{1BC}', '\u{1BD}'),
    ('\u{1C4}', '\u{1C6}'),
    ('\u{1C5}', '\u{1C6}'),
    ('\u{1C7}', '\u{1C9}'),
    ('\u{1C8}', '\u{1C9}'),
    ('\u{1CA}', '\u{1CC}'),
    ('\u{1CB}', '\u{1CC}'),
    ('\u{1CD}', '\u{61}'),
    ('\u{1CE}', '\u{61}'),
    ('\u{1CF}', '\u{69}'),
    ('\u{1D0}', '\u{69}'),
    ('\u{1D1}', '\u{6F}'),
    ('\u{1D2}', '\u{6F}'),
    ('\u{1D3}', '\u{75}'),
    ('\u{1D4}', '\u{75}'),
    ('\u{1D5}', '\u{75}'),
    ('\u{1D6}', '\u{75}'),
    ('\u{1D7}', '\u{75}'),
    ('\u{1D8}', '\u{75}'),
    ('\u{1D9}', '\u{75}'),
    ('\u{1DA}', '\u{75}'),
    ('\u{1DB}', '\u{75}'),
    ('\u{1DC}', '\u{75}'),
    ('\u{1DE}', '\u{61}'),
    ('\u{1DF}', '\u{61}'),
    ('\u{1E0}', '\u{61}'),
    ('\u{1E1}', '\u{61}'),
    ('\u{1E2}', '\u{1E3}'),
    ('\u{1E4}', '\u{1E5}'),
    ('\u{1E6}', '\u{67}'),
    ('\u{1E7}', '\u{67}'),
    ('\u{1E8}', '\u{6B}'),
    ('\u{1E9}', '\u{6B}'),
    ('\u{1EA}', '\u{6F}'),
    ('\u{1EB}', '\u{6F}'),
    ('\u{1EC}', '\u{6F}'),
    ('\u{1ED}', '\u{6F}'),
    ('\u{1EE}', '\u{1EF}'),
    ('\u{1F0}', '\u{6A}'),
    ('\u{1F1}', '\u{1F3}'),
    ('\u{1F2}', '\u{1F3}'),
    ('\u{1F4}', '\u{67}'),
    ('\u{1F5}', '\u{67}'),
    ('\u{1F6}', '\u{195}'),
    ('\u{1F7}', '\u{1BF}'),
    ('\u{1F8}', '\u{6E}'),
    ('\u{1F9}', '\u{6E}'),
    ('\u{1FA}', '\u{61}'),
    ('\u{1FB}', '\u{61}'),
    ('\u{1FC}', '\u{1FD}'),
    ('\u{1FE}', '\u{1FF}'),
    ('\u{200}', '\u{61}'),
    ('\u{201}', '\u{61}'),
    ('\u{202}', '\u{61}'),
    ('\u{203}', '\u{61}'),
    ('\u{204}', '\u{65}'),
    ('\u{205}', '\u{65}'),
    ('\u{206}', '\u{65}'),
    ('\u{207}', '\u{65}'),
    ('\u{208}', '\u{69}'),
    ('\u{209}', '\u{69}'),
    ('\u{20A}', '\u{69}'),
    ('\u{20B}', '\u{69}'),
    ('\u{20C}', '\u{6F}'),
    ('\u{20D}', '\u{6F}'),
    ('\u{20E}', '\u{6F}'),
    ('\u{20F}', '\u{6F}'),
    ('\u{210}', '\u{72}'),
    ('\u{211}', '\u{72}'),
    ('\u{212}', '\u{72}'),
    ('\u{213}', '\u{72}'),
    ('\u{214}', '\u{75}'),
    ('\u{215}', '\u{75}'),
    ('\u{216}', '\u{75}'),
    ('\u{217}', '\u{75}'),
    ('\u{218}', '\u{73}'),
    ('\u{219}', '\u{73}'),
    ('\u{21A}', '\u{74}'),
    ('\u{21B}', '\u{74}'),
    ('\u{21C}', '\u{21D}'),
    ('\u{21E}', '\u{68}'),
    ('\u{21F}', '\u{68}'),
    ('\u{220}', '\u{19E}'),
    ('\u{222}', '\u{223}'),
    ('\u{224}', '\u{225}'),
    ('\u{226}', '\u{61}'),
    ('\u{227}', '\u{61}'),
    ('\u{228}', '\u{65}'),
    ('\u{229}', '\u{65}'),
    ('\u{22A}', '\u{6F}'),
    ('\u{22B}', '\u{6F}'),
    ('\u{22C}', '\u{6F}'),
    ('\u{22D}', '\u{6F}'),
    ('\u{22E}', '\u{6F}'),
    ('\u{22F}', '\u{6F}'),
    ('\u{230}', '\u{6F}'),
    ('\u{231}', '\u{6F}'),
    ('\u{232}', '\u{79}'),
    ('\u{233}', '\u{79}'),
    ('\u{23A}', '\u{2C65}'),
    ('\u{23B}', '\u{23C}'),
    ('\u{23D}', '\u{19A}'),
    ('\u{23E}', '\u{2C66}'),
    ('\u{241}', '\u{242}'),
    ('\u{243}', '\u{180}'),
    ('\u{244}', '\u{289}'),
    ('\u{245}', '\u{28C}'),
    ('\u{246}', '\u{247}'),
    ('\u{248}', '\u{249}'),
    ('\u{24A}', '\u{24B}'),
    ('\u{24C}', '\u{24D}'),
    ('\u{24E}', '\u{24F}'),
    ('\u{FF21}', '\u{61}'),
    ('\u{FF22}', '\u{62}'),
    ('\u{FF23}', '\u{63}'),
    ('\u{FF24}', '\u{64}'),
    ('\u{FF25}', '\u{65}'),
    ('\u{FF26}', '\u{66}'),
    ('\u{FF27}', '\u{67}'),
    ('\u{FF28}', '\u{68}'),
    ('\u{FF29}', '\u{69}'),
    ('\u{FF2A}', '\u{6A}'),
    ('\u{FF2B}', '\u{6B}'),
    ('\u{FF2C}', '\u{6C}'),
    ('\u{FF2D}', '\u{6D}'),
    ('\u{FF2E}', '\u{6E}'),
    ('\u{FF2F}', '\u{6F}'),
    ('\u{FF30}', '\u{70}'),
    ('\u{FF31}', '\u{71}'),
    ('\u{FF32}', '\u{72}'),
    ('\u{FF33}', '\u{73}'),
    ('\u{FF34}', '\u{74}'),
    ('\u{FF35}', '\u{75}'),
    ('\u{FF36}', '\u{76}'),
    ('\u{FF37}', '\u{77}'),
    ('\u{FF38}', '\u{78}'),
    ('\u{FF39}', '\u{79}'),
    ('\u{FF3A}', '\u{7A}'),
    ('\u{FF41}', '\u{61}'),
    ('\u{FF42}', '\u{62}'),
    ('\u{FF43}', '\u{63}'),
    ('\u{FF44}', '\u{64}'),
    ('\u{FF45}', '\u{65}'),
    ('\u{FF46}', '\u{66}'),
    ('\u{FF47}', '\u{67}'),
    ('\u{FF48}', '\u{68}'),
    ('\u{FF49}', '\u{69}'),
    ('\u{FF4A}', '\u{6A}'),
    ('\u{FF4B}', '\u{6B}'),
    ('\u{FF4C}', '\u{6C}'),
    ('\u{FF4D}', '\u{6D}'),
    ('\u{FF4E}', '\u{6E}'),
    ('\u{FF4F}', '\u{6F}'),
    ('\u{FF50}', '\u{70}'),
    ('\u{FF51}', '\u{71}'),
    ('\u{FF52}', '\u{72}'),
    ('\u{FF53}', '\u{73}'),
    ('\u{FF54}', '\u{74}'),
    ('\u{FF55}', '\u{75}'),
    ('\u{FF56}', '\u{76}'),
    ('\u{FF57}', '\u{77}'),
    ('\u{FF58}', '\u{78}'),
    ('\u{FF59}', '\u{79}'),
    ('\u{FF5A}', '\u{7A}'),
];

/// Whether `c` lies in one of the (sorted, disjoint) `ranges`.
#[must_use]
pub fn in_ranges(ranges: &[(char, char)], c: char) -> bool {
    ranges
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                std::cmp::Ordering::Less
            } else if lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// A control or invisible formatting character ([`INVISIBLE`]).
#[must_use]
pub fn is_invisible(c: char) -> bool {
    in_ranges(INVISIBLE, c)
}

/// A digit or numeral other than ASCII `0`-`9` ([`NON_ASCII_DIGITS`]).
#[must_use]
pub fn is_non_ascii_digit(c: char) -> bool {
    in_ranges(NON_ASCII_DIGITS, c)
}

/// An ASCII letter or one of [`LETTERS`].
#[must_use]
pub fn is_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || in_ranges(LETTERS, c)
}

/// A letter or an ASCII digit: what words are made of. Everything else separates.
#[must_use]
pub fn is_word_char(c: char) -> bool {
    c.is_ascii_digit() || is_letter(c)
}

/// `text` with combining marks removed and every character folded by [`FOLD`].
#[must_use]
pub fn fold(text: &str) -> String {
    text.chars()
        .filter(|&c| !(COMBINING_MARKS.0..=COMBINING_MARKS.1).contains(&c))
        .map(|c| {
            FOLD.binary_search_by_key(&c, |&(from, _)| from)
                .map_or(c, |i| FOLD[i].1)
        })
        .collect()
}

/// The first characters of [`FOLD`], in order: `translate()`'s `from` argument.
#[must_use]
pub fn fold_from() -> String {
    FOLD.iter().map(|&(from, _)| from).collect()
}

/// The second characters of [`FOLD`], in order: `translate()`'s `to` argument.
#[must_use]
pub fn fold_to() -> String {
    FOLD.iter().map(|&(_, to)| to).collect()
}

/// The body of a PostgreSQL regular-expression bracket expression matching `ranges`
/// (`\uXXXX` escapes, `\UXXXXXXXX` beyond the BMP; U+0000, which text cannot hold, as
/// U+0001).
#[must_use]
pub fn sql_class(ranges: &[(char, char)]) -> String {
    fn escape(c: char) -> String {
        let cp = u32::from(c).max(1);
        if cp > 0xFFFF {
            format!("\\U{cp:08x}")
        } else {
            format!("\\u{cp:04x}")
        }
    }
    ranges
        .iter()
        .map(|&(lo, hi)| {
            if lo == hi {
                escape(lo)
            } else {
                format!("{}-{}", escape(lo), escape(hi))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted_and_disjoint(ranges: &[(char, char)]) -> bool {
        ranges.iter().all(|(lo, hi)| lo <= hi) && ranges.windows(2).all(|w| w[0].1 < w[1].0)
    }

    #[test]
    fn the_tables_are_sorted_and_disjoint() {
        assert!(sorted_and_disjoint(INVISIBLE));
        assert!(sorted_and_disjoint(NON_ASCII_DIGITS));
        assert!(sorted_and_disjoint(LETTERS));
        assert!(FOLD.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn whitespace_is_exactly_what_trim_trims() {
        let all: Vec<char> = (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace())
            .collect();
        assert_eq!(all, WHITESPACE);
    }

    #[test]
    fn every_control_character_is_invisible_and_every_ascii_digit_is_a_plain_digit() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            if c.is_control() {
                assert!(is_invisible(c), "{c:?}");
            }
        }
        for c in '0'..='9' {
            assert!(!is_non_ascii_digit(c));
        }
    }

    #[test]
    fn every_decimal_digit_the_standard_library_knows_is_covered() {
        // char::is_numeric may know newer Unicode than the table: only digits of scripts
        // encoded by Unicode 14 are required.
        for c in ['٣', '۳', '३', '৩', '３', '𝟑', '²', '①', 'Ⅻ', '½', '᠓', '๓'] {
            assert!(is_non_ascii_digit(c), "{c:?}");
        }
    }

    #[test]
    fn folding_removes_case_and_accents_but_keeps_the_norwegian_letters() {
        assert_eq!(fold("KRÉFT Kre\u{301}ft ＫＲＥＦＴ"), "kreft kreft kreft");
        assert_eq!(fold("UFØRE Ærlig Åpen"), "uføre ærlig åpen");
        assert_eq!(fold("Ünïcødé"), "unicøde");
        assert_eq!(fold_from().chars().count(), fold_to().chars().count());
    }

    #[test]
    fn a_sql_class_escapes_every_range() {
        assert_eq!(
            sql_class(&[
                ('\u{0}', '\u{1F}'),
                ('\u{AD}', '\u{AD}'),
                ('\u{1D173}', '\u{1D17A}')
            ]),
            "\\u0001-\\u001f\\u00ad\\U0001d173-\\U0001d17a"
        );
    }
}
