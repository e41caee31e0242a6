//! Splits a SQL file into statements the way the Supabase CLI does (`pkg/parser`).
//!
//! A `;` ends a statement unless it is inside a `--` comment, a (nested) `/* */` comment, a
//! `'…'` string, a `"…"` identifier or a `$tag$…$tag$` body. Each statement keeps its leading
//! comments; trailing `;` and surrounding white space are trimmed and empty statements dropped,
//! as the CLI's `SplitAndTrim` does, so the `statements` we record match the CLI's.

/// Splits `sql` into trimmed statements.
#[must_use]
pub fn split_statements(sql: &str) -> Vec<String> {
    let bytes = sql.as_bytes();
    let mut statements = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = find_from(bytes, i + 2, b"\n").map_or(bytes.len(), |end| end + 1);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = skip_block_comment(bytes, i),
            quote @ (b'\'' | b'"') => i = skip_quoted(bytes, i, quote),
            b'$' => match dollar_tag(bytes, i) {
                Some(tag) => {
                    let body = i + tag.len();
                    i = find_from(bytes, body, tag).map_or(bytes.len(), |end| end + tag.len());
                }
                None => i += 1,
            },
            b';' => {
                push_trimmed(&mut statements, &sql[start..=i]);
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    push_trimmed(&mut statements, &sql[start..]);
    statements
}

fn push_trimmed(statements: &mut Vec<String>, token: &str) {
    let trimmed = token.trim_end_matches(';').trim();
    if !trimmed.is_empty() {
        statements.push(trimmed.to_owned());
    }
}

fn find_from(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Index just past a `/* … */` comment starting at `i`; these nest in PostgreSQL.
fn skip_block_comment(bytes: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < bytes.len() {
        if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

/// Index just past a quoted string or identifier starting at `i`. A doubled quote is an
/// escaped quote; a backslash escapes the next byte in `E'…'` strings.
fn skip_quoted(bytes: &[u8], i: usize, quote: u8) -> usize {
    let escape_string = quote == b'\''
        && i > 0
        && matches!(bytes[i - 1], b'E' | b'e')
        && (i < 2 || !is_ident_byte(bytes[i - 2]));
    let mut j = i + 1;
    while j < bytes.len() {
        if escape_string && bytes[j] == b'\\' {
            j += 2;
        } else if bytes[j] == quote {
            if bytes.get(j + 1) == Some(&quote) {
                j += 2;
            } else {
                return j + 1;
            }
        } else {
            j += 1;
        }
    }
    bytes.len()
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// The `$tag$` opening a dollar-quoted body at `i`, if there is one. A `$` that follows an
/// identifier character (as in `a$1`) or is followed by a digit (a parameter `$1`) opens none.
fn dollar_tag(bytes: &[u8], i: usize) -> Option<&[u8]> {
    if i > 0 && is_ident_byte(bytes[i - 1]) {
        return None;
    }
    let mut j = i + 1;
    while j < bytes.len() && bytes[j] != b'$' {
        let b = bytes[j];
        let valid =
            b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 || (j > i + 1 && b.is_ascii_digit());
        if !valid {
            return None;
        }
        j += 1;
    }
    (j < bytes.len()).then(|| &bytes[i..=j])
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
    fn nested_block_comments_and_escaped_quotes_are_understood() {
        let sql = "/* outer /* inner; */ still; */ select 'it''s; fine', E'back\\'slash;';select 3";
        assert_eq!(
            split_statements(sql),
            vec![
                "/* outer /* inner; */ still; */ select 'it''s; fine', E'back\\'slash;'",
                "select 3"
            ]
        );
    }

    #[test]
    fn parameters_and_identifiers_with_dollars_are_not_dollar_quotes() {
        assert_eq!(
            split_statements("select $1, a$b from t; select 2"),
            vec!["select $1, a$b from t", "select 2"]
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
