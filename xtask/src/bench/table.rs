//! A results table, printed on the terminal and written as CSV from the same cells, so the
//! two never disagree and each bench lists its values once.

use std::fmt::Write as _;

/// Where a column appears: on the terminal (with its header), in the CSV (with its name), or
/// both.
pub enum Column {
    Both(&'static str, &'static str),
    Shown(&'static str),
    Csv(&'static str),
}

/// One value of a row; its variant says how it shows and how the CSV holds it.
pub enum Cell {
    /// A whole number (rows, clients, counts).
    Count(u64),
    /// Per second: whole units shown, one decimal in the CSV.
    Rate(f64),
    /// Three decimals, shown and in the CSV (so a ratio shown never rounds across a target).
    Ratio(f64),
    /// Milliseconds: one decimal and the unit shown, three decimals in the CSV.
    Ms(f64),
    /// Microseconds: whole units shown with the unit, one decimal in the CSV; `None` (not
    /// measured) shows `-` and leaves the CSV field empty.
    Us(Option<f64>),
    /// Shown in MB, bytes in the CSV.
    Bytes(u64),
    /// `YES`/`no` shown, `true`/`false` in the CSV.
    Flag(bool),
    /// Text, left-aligned: what is shown and the CSV's key for it (no commas).
    Text { shown: String, csv: String },
}

impl Cell {
    fn shown(&self) -> String {
        match self {
            Cell::Count(n) => n.to_string(),
            Cell::Rate(v) => format!("{v:.0}"),
            Cell::Ratio(v) => format!("{v:.3}"),
            Cell::Ms(v) => format!("{v:.1} ms"),
            Cell::Us(Some(v)) => format!("{v:.0} µs"),
            Cell::Us(None) => "-".to_owned(),
            Cell::Bytes(b) => format!("{:.1} MB", *b as f64 / 1e6),
            Cell::Flag(yes) => (if *yes { "YES" } else { "no" }).to_owned(),
            Cell::Text { shown, .. } => shown.clone(),
        }
    }

    fn csv(&self) -> String {
        match self {
            Cell::Count(n) | Cell::Bytes(n) => n.to_string(),
            Cell::Rate(v) => format!("{v:.1}"),
            Cell::Ratio(v) | Cell::Ms(v) => format!("{v:.3}"),
            Cell::Us(v) => v.map_or_else(String::new, |v| format!("{v:.1}")),
            Cell::Flag(yes) => yes.to_string(),
            Cell::Text { csv, .. } => csv.clone(),
        }
    }
}

/// Rows under fixed columns; `text` aligns each column to its widest cell.
pub struct Table {
    columns: &'static [Column],
    rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(columns: &'static [Column]) -> Self {
        Self {
            columns,
            rows: Vec::new(),
        }
    }

    /// One row: a cell per column, in the columns' order.
    pub fn row(&mut self, cells: Vec<Cell>) {
        debug_assert_eq!(cells.len(), self.columns.len(), "one cell per column");
        self.rows.push(cells);
    }

    /// The terminal form: headers, then the rows; numbers right-aligned, text left-aligned.
    pub fn text(&self) -> String {
        let shown: Vec<(usize, &str)> = self
            .columns
            .iter()
            .enumerate()
            .filter_map(|(i, c)| match c {
                Column::Both(header, _) | Column::Shown(header) => Some((i, *header)),
                Column::Csv(_) => None,
            })
            .collect();
        let cells: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|row| shown.iter().map(|&(i, _)| row[i].shown()).collect())
            .collect();
        let width = |k: usize| {
            let widest = cells.iter().map(|r| r[k].chars().count()).max();
            widest.unwrap_or(0).max(shown[k].1.chars().count())
        };
        let widths: Vec<usize> = (0..shown.len()).map(width).collect();
        let left = |k: usize| {
            let (i, _) = shown[k];
            self.rows
                .first()
                .is_some_and(|r| matches!(r[i], Cell::Text { .. }))
        };
        let line = |texts: &[&str]| {
            let mut out = String::new();
            for (k, text) in texts.iter().enumerate() {
                let pad = " ".repeat(widths[k] - text.chars().count());
                let _ = if left(k) {
                    write!(out, "{text}{pad}  ")
                } else {
                    write!(out, "{pad}{text}  ")
                };
            }
            out.trim_end().to_owned() + "\n"
        };
        let headers: Vec<&str> = shown.iter().map(|&(_, h)| h).collect();
        let mut out = line(&headers);
        for row in &cells {
            out += &line(&row.iter().map(String::as_str).collect::<Vec<_>>());
        }
        out
    }

    /// The CSV form: a header line of column names, then the rows.
    pub fn csv(&self) -> String {
        let in_csv = |c: &Column| matches!(c, Column::Both(..) | Column::Csv(_));
        let names: Vec<&str> = self
            .columns
            .iter()
            .filter_map(|c| match c {
                Column::Both(_, name) | Column::Csv(name) => Some(*name),
                Column::Shown(_) => None,
            })
            .collect();
        let mut out = names.join(",") + "\n";
        for row in &self.rows {
            let values: Vec<String> = self
                .columns
                .iter()
                .zip(row)
                .filter(|(c, _)| in_csv(c))
                .map(|(_, cell)| cell.csv())
                .collect();
            out += &(values.join(",") + "\n");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[Column] = &[
        Column::Both("clients", "clients"),
        Column::Both("strategy", "strategy"),
        Column::Both("ours /s", "ours_per_s"),
        Column::Csv("bytes"),
        Column::Shown(""),
    ];

    fn table() -> Table {
        let mut table = Table::new(COLUMNS);
        for (clients, name, rate, bytes) in
            [(1, "one", 12.34, 5_000_000), (16, "sixteen", 1234.4, 7)]
        {
            table.row(vec![
                Cell::Count(clients),
                Cell::Text {
                    shown: name.to_uppercase(),
                    csv: name.to_owned(),
                },
                Cell::Rate(rate),
                Cell::Bytes(bytes),
                Cell::Flag(clients > 1),
            ]);
        }
        table
    }

    #[test]
    fn the_terminal_form_aligns_columns_and_leaves_out_csv_only_ones() {
        assert_eq!(
            table().text(),
            "clients  strategy  ours /s\n      1  ONE            12   no\n     16  SIXTEEN      1234  YES\n"
        );
    }

    #[test]
    fn microseconds_show_their_unit_and_a_dash_when_not_measured() {
        let (some, none) = (Cell::Us(Some(57.26)), Cell::Us(None));
        assert_eq!(
            (some.shown(), some.csv()),
            ("57 µs".to_owned(), "57.3".to_owned())
        );
        assert_eq!((none.shown(), none.csv()), ("-".to_owned(), String::new()));
    }

    #[test]
    fn the_csv_holds_its_own_columns_and_precision() {
        assert_eq!(
            table().csv(),
            "clients,strategy,ours_per_s,bytes\n1,one,12.3,5000000\n16,sixteen,1234.4,7\n"
        );
    }
}
