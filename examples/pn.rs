fn main() {
    for s in std::env::args().skip(1) {
        for c in [Some(phonenumber::country::Id::RU), None] {
            match phonenumber::parse(c, &s) {
                Ok(n) => println!(
                    "{c:?} {s:?} -> {} valid={} ",
                    n.format().mode(phonenumber::Mode::E164),
                    phonenumber::is_valid(&n)
                ),
                Err(e) => println!("{c:?} {s:?} -> ERR {e:?}"),
            }
        }
    }
}
