//! E-mail cells: splitting, normalisation and a pragmatic syntax check.

/// Splits a cell holding several addresses on `,`, `;` and any whitespace; drops empty pieces.
pub fn split_email_cell(cell: &str) -> Vec<&str> {
    cell.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|piece| !piece.is_empty())
        .collect()
}

/// Trim and lowercase.
pub fn normalize_email(s: &str) -> String {
    s.trim().to_lowercase()
}

/// One `@`; a local part without spaces; a domain of non-empty labels (letters, digits,
/// hyphens) with a dot and a TLD of 2+ letters; no consecutive dots anywhere.
pub fn is_valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"@,;<>()[]\\\"".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic));
    local_ok && domain_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_cells() {
        assert_eq!(
            split_email_cell(" a@b.ru, c@d.com;e@f.org\n g@h.ru  i@j.ru ;; "),
            ["a@b.ru", "c@d.com", "e@f.org", "g@h.ru", "i@j.ru"]
        );
        assert!(split_email_cell("  ,; ").is_empty());
    }

    #[test]
    fn normalises() {
        assert_eq!(
            normalize_email("  Ivan.Petrov@Mail.RU \n"),
            "ivan.petrov@mail.ru"
        );
    }

    #[test]
    fn accepts_ordinary_addresses() {
        for ok in [
            "ivan@mail.ru",
            "ivan.petrov+crm@okna-spb.ru",
            "i_p@sub.domain.co.uk",
            "почта@окна.рф",
            "123@yandex.ru",
        ] {
            assert!(is_valid_email(ok), "{ok:?}");
        }
    }

    #[test]
    fn rejects_broken_addresses() {
        for bad in [
            "",
            "ivan",
            "ivan@",
            "@mail.ru",
            "ivan@mail",
            "ivan@mail.r",
            "ivan@@mail.ru",
            "iv an@mail.ru",
            "ivan@mail..ru",
            "ivan..p@mail.ru",
            ".ivan@mail.ru",
            "ivan@.mail.ru",
            "ivan@mail.ru.",
            "ivan@mail.r2",
            "ivan@-mail.ru",
            "ivan@mail ru.com",
            "нет",
        ] {
            assert!(!is_valid_email(bad), "{bad:?}");
        }
    }
}
