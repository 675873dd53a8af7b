/// Gives the heap's free pages back to the kernel.
///
/// glibc returns a freed block to the kernel only when it was a mapping of its own (128 KiB and more, see
/// `Terminal.returnLargeBlocks`) or at the top of its heap. What loading a market, a snapshot's encoding and a
/// fan-out's temporary arrays free in the middle of an arena stays resident: 29 MB of one arena held 2.3 MB in use
/// after `serve --fixture-copies 100000` had loaded (`malloc_stats`), and trimming took the process from 135 to
/// 107 MB resident. `malloc_trim(0)` releases the free whole pages of every arena (`madvise(MADV_DONTNEED)`); the
/// server calls it where it has just freed much (after opening, after each snapshot), on a thread that is not one
/// of Swift's cooperative pool.
enum HeapTrim {
    static func release() {
        #if canImport(Glibc)
            _ = glibcMallocTrim(0)
        #endif
    }
}

#if canImport(Glibc)
    /// glibc's `malloc_trim` (malloc.h is not part of the Glibc module): the padding to keep, 1 when memory was released.
    @_silgen_name("malloc_trim")
    private func glibcMallocTrim(_ pad: Int) -> Int32
#endif
