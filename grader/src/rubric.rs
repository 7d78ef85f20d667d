//! The guide's grading rubric (NOTES.md, 100 points) as a type: a case names the
//! item it checks with one of [`Item::key`]'s words, and a typo is refused when
//! the case file is read, never silently ungraded.

use std::fmt;

/// One item of the rubric, in the guide's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Item {
    Filename,
    Sandbox,
    Read,
    ContentType,
    ContentLength,
    Header,
    Payload,
}

/// Every item, in the guide's order: 100 points in all.
pub const RUBRIC: [Item; 7] = [
    Item::Filename,
    Item::Sandbox,
    Item::Read,
    Item::ContentType,
    Item::ContentLength,
    Item::Header,
    Item::Payload,
];

impl Item {
    /// What `rubric = "..."` calls it in a case file.
    pub const fn key(self) -> &'static str {
        match self {
            Item::Filename => "filename",
            Item::Sandbox => "sandbox",
            Item::Read => "read",
            Item::ContentType => "content-type",
            Item::ContentLength => "content-length",
            Item::Header => "header",
            Item::Payload => "payload",
        }
    }

    pub const fn points(self) -> u32 {
        match self {
            Item::Filename | Item::Read => 10,
            Item::Sandbox => 20,
            Item::ContentType | Item::ContentLength | Item::Header | Item::Payload => 15,
        }
    }

    /// The rubric's own words.
    pub const fn title(self) -> &'static str {
        match self {
            Item::Filename => "File name parsed from the request header",
            Item::Sandbox => "File path stripped off, or sandboxed properly",
            Item::Read => "Data read from the file named in the URL",
            Item::ContentType => "Proper Content-Type set in the header",
            Item::ContentLength => "Proper Content-Length set in the header",
            Item::Header => "HTTP response header constructed correctly and ISO-8859-1 encoded",
            Item::Payload => "HTTP response payload constructed correctly",
        }
    }

    /// The item a case file's `rubric = KEY` names.
    pub fn from_key(key: &str) -> Option<Item> {
        RUBRIC.into_iter().find(|item| item.key() == key)
    }
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The most a server can earn.
pub fn max_score() -> u32 {
    RUBRIC.iter().map(|item| item.points()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rubric_is_the_guides_100_points_and_keys_round_trip() {
        assert_eq!(max_score(), 100);
        for item in RUBRIC {
            assert_eq!(Item::from_key(item.key()), Some(item));
        }
        assert_eq!(Item::from_key("headers"), None);
    }
}
