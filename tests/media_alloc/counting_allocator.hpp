// The counters of the counting global operator new/delete (counting_allocator.cpp) that the
// media_alloc_tests executable links in: allocations made, and heap bytes live right now.
#pragma once

#include <atomic>
#include <cstdint>

namespace sipscope::test {

extern std::atomic<uint64_t> g_allocations;
extern std::atomic<int64_t> g_live_bytes;  // malloc_usable_size of every live block

}  // namespace sipscope::test
