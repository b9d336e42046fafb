//! `cpsearch serve`: open the index (building the default one on first
//! run, like `search`) and serve it until Ctrl-C.

use anyhow::{Context, Result};
use cpsearch::normalize::Taxonomy;
use cpsearch::server::{self, AppState};

use super::ensure_index;
use crate::cli::ServeArgs;

pub fn serve(args: ServeArgs, taxonomy: Taxonomy) -> Result<u8> {
    ensure_index(&args.index, &taxonomy)?;
    if !args.addr.ip().is_loopback() {
        eprintln!(
            "warning: listening on {}: anyone who can reach this address can search the index",
            args.addr
        );
    }
    let state = AppState::open(&args.index, taxonomy)
        .with_context(|| format!("opening {}", args.index.display()))?;
    server::serve(state, args.addr, |addr| {
        eprintln!(
            "cpsearch: serving {} on http://{addr}/ (Ctrl-C to stop)",
            args.index.display()
        );
    })
    .with_context(|| format!("serving on {}", args.addr))?;
    Ok(0)
}
