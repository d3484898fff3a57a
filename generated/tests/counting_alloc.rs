//! A counting global allocator for the `hostile_decode*` tests (included
//! with `#[path]`; this file alone is an empty test crate): per thread, so
//! parallel tests do not disturb each other.
#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static CURRENT: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn add(bytes: usize) {
    let _ = CURRENT.try_with(|c| {
        let now = c.get() + bytes as isize;
        c.set(now);
        let _ = PEAK.try_with(|p| p.set(p.get().max(now)));
    });
}

fn sub(bytes: usize) {
    let _ = CURRENT.try_with(|c| c.set(c.get() - bytes as isize));
}

// SAFETY: every call is forwarded to `System` unchanged; the counters are
// const-initialised thread-locals without destructors (no allocation).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            add(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            add(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        sub(layout.size());
    }

    /// Counted as the size change (as an allocator that grows in place, or
    /// moves pages, has it).
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            add(new_size);
            sub(layout.size());
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// The peak heap growth (bytes) of this thread while `f` runs, with `f`'s result.
pub fn peak_of<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let start = CURRENT.get();
    PEAK.set(start);
    let out = f();
    let peak = PEAK.get() - start;
    (out, usize::try_from(peak).unwrap_or(0))
}
