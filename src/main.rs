//! The `zlint` binary: parses arguments and hands them to the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    tune_allocator();
    report_oversized_writes();
    ExitCode::from(zlint::cli::main_from(std::env::args_os().collect()))
}

/// Keeps freed buffers below 32 MiB (decoded and encoded chunks) inside the process for the next
/// chunk, instead of returning them to the kernel and faulting fresh zeroed pages in again: glibc
/// maps each one anew by default (its adaptive threshold never admits a size it has just freed),
/// which cost a rechunk of 1 GiB about 470,000 page faults and a sixth of its system time.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    const MIB: libc::c_int = 1 << 20;
    // SAFETY: mallopt only sets glibc malloc parameters; no other thread exists yet.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 * MIB);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 64 * MIB);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}

/// Makes a write past the process's file-size limit (`ulimit -f`) fail with `EFBIG`, which zlint
/// reports naming the file, instead of the default `SIGXFSZ` killing it with no message.
#[cfg(target_os = "linux")]
fn report_oversized_writes() {
    // SAFETY: ignoring a signal changes no memory; no other thread exists yet.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

#[cfg(not(target_os = "linux"))]
fn report_oversized_writes() {}
