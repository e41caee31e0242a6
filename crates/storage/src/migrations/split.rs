//! Splits a SQL file into statements exactly as the Supabase CLI 2.117 does (its Go package
//! `pkg/parser`: `tokenizer.ScanToken`, the `…State.Next` transitions, `SplitAndTrim`), quirks
//! included, so the `statements` we record and send are the CLI's:
//!
//! - a `;` ends a statement unless it is inside a `--` comment, a (nested) `/* */` comment, a
//!   `'…'` string, a `"…"` identifier, a `$tag$…$tag$` body, parentheses, or a
//!   `BEGIN ATOMIC … END` body;
//! - a backslash outside quotes escapes the next character; inside quotes it is an ordinary
//!   character, so `E'it\'s; here'` is not read as PostgreSQL reads it;
//! - a `$` followed by letters, digits or `_` and another `$` opens a dollar quote, also inside
//!   an identifier such as `a$b$c`;
//! - one `)` closes every parenthesis opened since the outermost `(` that has no `(` of its
//!   own pending, so `do also (insert … values (1); …)` is split at its first `;`.
//!
//! Each statement keeps its leading comments; trailing `;` and then surrounding white space are
//! trimmed and empty statements dropped (`SplitAndTrim`).

/// Splits `sql` into trimmed statements, as the Supabase CLI does.
#[must_use]
pub fn split_statements(sql: &str) -> Vec<String> {
    let bytes = sql.as_bytes();
    let mut statements = Vec::new();
    let mut start = 0;
    let mut state = State::Ready;
    let mut i = 0;
    while start + i < bytes.len() {
        let data = &bytes[start..];
        let (r, width) = decode(&data[i..]);
        let end = i + width;
        match state.next(r, &data[..end]) {
            Some(next) => {
                state = next;
                i = end;
            }
            None => {
                push_trimmed(&mut statements, &data[..end]);
                start += end;
                i = 0;
                state = State::Ready;
            }
        }
    }
    push_trimmed(&mut statements, &bytes[start..]);
    statements
}

fn push_trimmed(statements: &mut Vec<String>, token: &[u8]) {
    let token = String::from_utf8_lossy(token);
    let trimmed = token.trim_end_matches(';').trim();
    if !trimmed.is_empty() {
        statements.push(trimmed.to_owned());
    }
}

/// Go's `utf8.DecodeRune`: the character starting at `bytes[0]` and its width (U+FFFD and
/// width 1 for a broken sequence, which a `&str` never has).
fn decode(bytes: &[u8]) -> (char, usize) {
    let width = match bytes.first() {
        Some(b) if *b < 0x80 => 1,
        Some(b) if *b >= 0xF0 => 4,
        Some(b) if *b >= 0xE0 => 3,
        Some(b) if *b >= 0xC0 => 2,
        _ => return (char::REPLACEMENT_CHARACTER, 1),
    };
    bytes
        .get(..width)
        .and_then(|b| std::str::from_utf8(b).ok())
        .and_then(|s| s.chars().next())
        .map_or((char::REPLACEMENT_CHARACTER, 1), |c| (c, width))
}

/// The CLI's tokenizer states; `next` returns `None` where the CLI emits a token.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Ready,
    /// One `-` seen.
    Comment,
    /// After a `/`; `depth` counts open `/*`.
    Block {
        depth: i32,
    },
    Quote {
        delimiter: char,
        escape: bool,
    },
    /// Inside a body that only `delimiter` ends (a `$tag$` body, or a `--` comment up to `\n`).
    Dollar {
        delimiter: Vec<u8>,
    },
    /// A `$` at byte `offset` of the token, maybe opening a `$tag$`.
    Tag {
        offset: usize,
    },
    Escape,
    /// Inside parentheses (`delimiter` `)`) or a `BEGIN ATOMIC` body (`END`).
    Atomic {
        prev: Box<State>,
        delimiter: &'static [u8],
    },
}

impl State {
    fn next(self, r: char, data: &[u8]) -> Option<State> {
        match self {
            State::Ready => ready_next(r, data),
            State::Comment => {
                if r == '-' {
                    Some(State::Dollar {
                        delimiter: b"\n".to_vec(),
                    })
                } else {
                    ready_next(r, data)
                }
            }
            State::Block { depth } => {
                let window = tail(data, 2);
                if window == b"/*" {
                    return Some(State::Block { depth: depth + 1 });
                }
                if depth == 0 {
                    return ready_next(r, data);
                }
                if window == b"*/" {
                    if depth - 1 == 0 {
                        return Some(State::Ready);
                    }
                    return Some(State::Block { depth: depth - 1 });
                }
                Some(State::Block { depth })
            }
            State::Quote { delimiter, escape } => {
                if escape {
                    if r == delimiter {
                        return Some(State::Quote {
                            delimiter,
                            escape: false,
                        });
                    }
                    return ready_next(r, data);
                }
                Some(State::Quote {
                    delimiter,
                    escape: r == delimiter,
                })
            }
            State::Dollar { delimiter } => {
                if tail(data, delimiter.len()) == delimiter.as_slice() {
                    Some(State::Ready)
                } else {
                    Some(State::Dollar { delimiter })
                }
            }
            State::Tag { offset } => {
                if r == '$' {
                    return Some(State::Dollar {
                        delimiter: data.get(offset..).unwrap_or_default().to_vec(),
                    });
                }
                if is_go_letter(r) || is_go_digit(r) || r == '_' {
                    return Some(State::Tag { offset });
                }
                ready_next(r, data)
            }
            State::Escape => Some(State::Ready),
            State::Atomic { prev, delimiter } => {
                let prev = match prev.clone().next(r, data) {
                    Some(current) => Box::new(current),
                    None => prev,
                };
                if *prev == State::Ready
                    && tail(data, delimiter.len()).eq_ignore_ascii_case(delimiter)
                {
                    return Some(State::Ready);
                }
                Some(State::Atomic { prev, delimiter })
            }
        }
    }
}

fn ready_next(r: char, data: &[u8]) -> Option<State> {
    Some(match r {
        '$' => State::Tag {
            offset: data.len() - 1,
        },
        '\'' | '"' => State::Quote {
            delimiter: r,
            escape: false,
        },
        '-' => State::Comment,
        '/' => State::Block { depth: 0 },
        '\\' => State::Escape,
        ';' => return None,
        '(' => State::Atomic {
            prev: Box::new(State::Ready),
            delimiter: b")",
        },
        'c' | 'C' if is_begin_atomic(data) => State::Atomic {
            prev: Box::new(State::Ready),
            delimiter: b"END",
        },
        _ => State::Ready,
    })
}

/// The last `n` bytes of `data` (all of it when shorter).
fn tail(data: &[u8], n: usize) -> &[u8] {
    &data[data.len().saturating_sub(n)..]
}

/// Whether `data` ends with `BEGIN <white space> ATOMIC`, both words standing alone.
fn is_begin_atomic(data: &[u8]) -> bool {
    const ATOMIC: &[u8] = b"ATOMIC";
    const BEGIN: &[u8] = b"BEGIN";
    let Some(offset) = data.len().checked_sub(ATOMIC.len()) else {
        return false;
    };
    if !data[offset..].eq_ignore_ascii_case(ATOMIC) {
        return false;
    }
    if offset > 0 && last_char(&data[..offset]).is_some_and(is_identifier_char) {
        return false;
    }
    let prefix = String::from_utf8_lossy(&data[..offset]);
    let prefix = prefix.trim_end().as_bytes();
    let Some(offset) = prefix.len().checked_sub(BEGIN.len()) else {
        return false;
    };
    if !prefix[offset..].eq_ignore_ascii_case(BEGIN) {
        return false;
    }
    offset == 0 || !last_char(&prefix[..offset]).is_some_and(is_identifier_char)
}

/// Go's `utf8.DecodeLastRune`, as a char (U+FFFD for a broken tail).
fn last_char(bytes: &[u8]) -> Option<char> {
    if bytes.is_empty() {
        return None;
    }
    let start = (1..=4.min(bytes.len()))
        .map(|n| bytes.len() - n)
        .find(|&i| bytes[i] & 0xC0 != 0x80)
        .unwrap_or(bytes.len() - 1);
    Some(
        std::str::from_utf8(&bytes[start..])
            .ok()
            .and_then(|s| s.chars().next())
            .unwrap_or(char::REPLACEMENT_CHARACTER),
    )
}

fn is_identifier_char(c: char) -> bool {
    is_go_letter(c) || is_go_digit(c) || c == '_' || c == '$'
}

/// Go's `unicode.IsLetter` (general category L). Rust's `is_alphabetic` also admits marks and
/// letter numbers; the difference only matters for such characters next to a `$tag`.
fn is_go_letter(c: char) -> bool {
    c.is_alphabetic()
}

/// Go's `unicode.IsDigit` (general category Nd).
fn is_go_digit(c: char) -> bool {
    c.is_ascii_digit() || is_nd(c)
}

/// Non-ASCII decimal digits (category Nd) in the blocks that have them: each block starts
/// at a code point ending in 0 and holds ten digits.
fn is_nd(c: char) -> bool {
    const ND_ZEROS: &[u32] = &[
        0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
        0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0,
        0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0,
        0xAA50, 0xABF0, 0xFF10,
    ];
    let code = u32::from(c);
    ND_ZEROS
        .iter()
        .any(|&zero| (zero..zero + 10).contains(&code))
}

#[cfg(test)]
mod tests {
    use super::split_statements;

    #[test]
    fn statements_are_split_on_semicolons_and_trimmed() {
        assert_eq!(
            split_statements("select 1;\n\n select 2 ;\n"),
            vec!["select 1", "select 2"]
        );
    }

    #[test]
    fn leading_comments_stay_with_their_statement() {
        assert_eq!(
            split_statements("-- why; because\nselect 1;\n/* a; b */ select 2"),
            vec!["-- why; because\nselect 1", "/* a; b */ select 2"]
        );
    }

    #[test]
    fn semicolons_inside_quotes_and_dollar_bodies_do_not_split() {
        let sql = "select 'a;b', \"c;d\";\ndo $$ begin perform 1; end $$;\n\
                   create function f() returns int language sql as $body$ select 1; $body$;";
        assert_eq!(
            split_statements(sql),
            vec![
                "select 'a;b', \"c;d\"",
                "do $$ begin perform 1; end $$",
                "create function f() returns int language sql as $body$ select 1; $body$"
            ]
        );
    }

    #[test]
    fn begin_atomic_bodies_and_parentheses_hold_their_semicolons() {
        let sql = "create function f() returns int language sql begin atomic select 1; select 2; end;\n\
                   select (1; 2); select 3";
        assert_eq!(
            split_statements(sql),
            vec![
                "create function f() returns int language sql begin atomic select 1; select 2; end",
                "select (1; 2)",
                "select 3"
            ]
        );
    }

    #[test]
    fn one_closing_parenthesis_ends_every_open_one_as_in_the_cli() {
        // The CLI splits a rule's parenthesised actions after the first nested `)`.
        assert_eq!(
            split_statements(
                "create rule r as on insert to t do also (insert into l values (1); insert into l values (2));"
            ),
            vec![
                "create rule r as on insert to t do also (insert into l values (1)",
                "insert into l values (2))"
            ]
        );
    }

    #[test]
    fn backslashes_escape_outside_quotes_only() {
        // Inside parentheses the broken string runs to the end of the file: one token, which
        // keeps its inner `;` (only trailing ones are trimmed, before the white space).
        assert_eq!(
            split_statements("insert into t values (E'it\\'s; here');\nselect 2;\n"),
            vec!["insert into t values (E'it\\'s; here');\nselect 2;"]
        );
        // `\'` closes the quote for the CLI, the next `'` opens one that swallows the `;`.
        assert_eq!(
            split_statements("select E'a\\'b'; select 2"),
            vec!["select E'a\\'b'; select 2"]
        );
        assert_eq!(
            split_statements("select 1 \\; select 2"),
            vec!["select 1 \\; select 2"]
        );
    }

    #[test]
    fn a_dollar_tag_inside_an_identifier_opens_a_dollar_quote_as_in_the_cli() {
        assert_eq!(
            split_statements("create table a$b$c (n int); select 1;"),
            vec!["create table a$b$c (n int); select 1"]
        );
        assert_eq!(
            split_statements("select $1, $2; select 3"),
            vec!["select $1, $2", "select 3"]
        );
    }

    #[test]
    fn nested_block_comments_are_understood() {
        let sql = "/* outer /* inner; */ still; */ select 'it''s; fine';select 3";
        assert_eq!(
            split_statements(sql),
            vec![
                "/* outer /* inner; */ still; */ select 'it''s; fine'",
                "select 3"
            ]
        );
    }

    #[test]
    fn multi_byte_characters_are_whole_characters_also_in_dollar_tags() {
        // Checked with the real CLI: tests/cli-corpus/multibyte_dollar_tag.sql.
        assert_eq!(
            split_statements("select $ø$ a; b $ø$; select 2"),
            vec!["select $ø$ a; b $ø$", "select 2"]
        );
        assert_eq!(
            split_statements("select 'blåbær; ja'; select 2"),
            vec!["select 'blåbær; ja'", "select 2"]
        );
    }

    #[test]
    fn a_file_of_only_comments_and_white_space_keeps_its_comment() {
        assert_eq!(split_statements("  \n;;\n"), Vec::<String>::new());
        assert_eq!(
            split_statements("-- nothing to do\n"),
            vec!["-- nothing to do"]
        );
    }
}
