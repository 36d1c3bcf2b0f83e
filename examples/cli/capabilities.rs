//! `sippnp capabilities`: prints the capability table compiled into the library
//! (`sippnp::capabilities`) as Markdown. Its output is `docs/VENDORS.md`:
//!
//! ```text
//! cargo run --example sippnp -- capabilities > docs/VENDORS.md
//! ```

use std::io::{self, Write};

use super::args::{Args, printable};
use super::{Failure, stdout_failed};

/// Prints the Markdown table. `--markdown` selects the default and only format, so it needs no
/// handling beyond being accepted. Takes no positional arguments.
pub fn run(args: Args) -> Result<u8, Failure> {
    if let Some(extra) = args.positional.first() {
        return Err(Failure::Usage(format!("unexpected argument {}", printable(extra))));
    }
    let mut out = io::stdout().lock();
    out.write_all(sippnp::capabilities::markdown_table().as_bytes())
        .and_then(|()| out.flush())
        .map_err(stdout_failed)?;
    Ok(0)
}
