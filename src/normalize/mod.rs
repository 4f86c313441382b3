//! Normalisation of raw cell values (spec §3): phones to E.164, names for comparison, dates,
//! e-mails and free text. Pure functions, no I/O; every function accepts any input without panicking.

pub mod date;
pub mod email;
pub mod name;
pub mod phone;
pub mod text;
