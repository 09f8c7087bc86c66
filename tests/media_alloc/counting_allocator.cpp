// Counting replacements of the global operator new/delete for media_alloc_tests: every
// allocation is counted, and the usable size of every live block summed.
#include "tests/media_alloc/counting_allocator.hpp"

#include <malloc.h>

#include <cstdlib>
#include <new>

namespace sipscope::test {

std::atomic<uint64_t> g_allocations{0};
std::atomic<int64_t> g_live_bytes{0};

}  // namespace sipscope::test

namespace {

void* counted_new(std::size_t n) {
  sipscope::test::g_allocations.fetch_add(1, std::memory_order_relaxed);
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  sipscope::test::g_live_bytes.fetch_add(static_cast<int64_t>(malloc_usable_size(p)),
                                         std::memory_order_relaxed);
  return p;
}

void counted_delete(void* p) noexcept {
  if (p == nullptr) return;
  sipscope::test::g_live_bytes.fetch_sub(static_cast<int64_t>(malloc_usable_size(p)),
                                         std::memory_order_relaxed);
  std::free(p);
}

}  // namespace

void* operator new(std::size_t n) {
  return counted_new(n);
}
void* operator new[](std::size_t n) {
  return counted_new(n);
}
void operator delete(void* p) noexcept {
  counted_delete(p);
}
void operator delete[](void* p) noexcept {
  counted_delete(p);
}
void operator delete(void* p, std::size_t) noexcept {
  counted_delete(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  counted_delete(p);
}
