// Expiry in time order at a cost proportional to what expires: a min-heap of (deadline,
// key, stamp) with lazy deletion. Tables push an entry when an item is created and keep a
// stamp per item; an entry whose item is gone or whose stamp no longer matches is dropped
// when it comes up, and an item that was touched after its entry was queued is queued
// again at its real deadline (at most once per touch-free stretch). Pushing never happens
// per packet, so the hot paths stay allocation-free. Ties pop in push order.
//
//   DeadlineQueue<Key> q;
//   q.push(item.last_us + idle_us, key, item.stamp);
//   while (const auto* e = q.top(); e != nullptr && e->due_us < now_us) { auto x = *e; q.pop();
//   ...}
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace sipscope::correlate {

template <class Key>
class DeadlineQueue {
 public:
  struct Entry {
    int64_t due_us = 0;
    uint64_t order = 0;  // push order: ties pop first-pushed first
    Key key{};
    uint64_t stamp = 0;
  };

  void push(int64_t due_us, const Key& key, uint64_t stamp) {
    heap_.push_back({due_us, next_order_++, key, stamp});
    std::push_heap(heap_.begin(), heap_.end(), Later{});
  }

  [[nodiscard]] const Entry* top() const { return heap_.empty() ? nullptr : &heap_.front(); }

  void pop() {
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    heap_.pop_back();
  }

  [[nodiscard]] size_t size() const { return heap_.size(); }
  void clear() { heap_.clear(); }

  // Drops the entries of items that are gone once they outnumber the live items, so the
  // heap stays within a constant factor of the table (amortized O(1) per push).
  template <class Live>
  void compact(size_t live_items, Live&& live) {
    if (heap_.size() <= 2 * live_items + 64) return;
    std::erase_if(heap_, [&](const Entry& e) { return !live(e.key, e.stamp); });
    std::make_heap(heap_.begin(), heap_.end(), Later{});
  }

 private:
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const {
      return a.due_us != b.due_us ? a.due_us > b.due_us : a.order > b.order;
    }
  };
  std::vector<Entry> heap_;
  uint64_t next_order_ = 0;
};

}  // namespace sipscope::correlate
