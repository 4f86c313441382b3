#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    without_huge_pages();
    std::process::ExitCode::from(crmclean::cli::run() as u8)
}

/// Turns transparent huge pages off for this process. With them, the allocator's fresh memory
/// comes in 2 MiB pages the kernel clears whole on first touch, and memory handed back and
/// taken again is cleared again: on the 1M-contact export that was 2–4 s of kernel time of a
/// 23 s run, for no gain in the rule passes (they follow pointers, not long arrays).
fn without_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes no pointers; it only sets a flag of this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
