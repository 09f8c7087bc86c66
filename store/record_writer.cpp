// RecordWriter: the batch queue between the producer and the writer thread.
#include "store/record_writer.hpp"

namespace sipscope::store {

RecordWriter::RecordWriter(Store& store, Thread thread)
    : store_(store), threaded_(thread == Thread::own) {
  if (!threaded_) return;
  batch_.reserve(kBatchItems);
  thread_ = std::thread([this] { run(); });
}

RecordWriter::~RecordWriter() {
  if (!thread_.joinable()) return;
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  changed_.notify_all();
  thread_.join();
}

void RecordWriter::add(Item&& item, size_t weight) {
  if (!threaded_) {
    write(item);
    return;
  }
  batch_.push_back(std::move(item));
  batch_weight_ += weight;
  if (batch_weight_ >= kBatchItems) hand_over();
}

void RecordWriter::commit() {
  push<&Store::commit>();
  if (threaded_) hand_over();
}

void RecordWriter::throw_if_failed() {
  if (failed_) std::rethrow_exception(failed_);
}

void RecordWriter::hand_over() {
  if (batch_.empty()) return;
  std::unique_lock lock(mutex_);
  // The writer holds at most one batch; together with the queued ones, kMaxBatches.
  changed_.wait(lock, [&] { return failed_ || queue_.size() + (busy_ ? 1 : 0) < kMaxBatches; });
  throw_if_failed();
  queue_.push_back(std::move(batch_));
  batch_weight_ = 0;
  if (spare_.empty()) {
    batch_ = {};
    batch_.reserve(kBatchItems);
  } else {
    batch_ = std::move(spare_.back());
    spare_.pop_back();
  }
  lock.unlock();
  changed_.notify_all();
}

void RecordWriter::drain() {
  if (!threaded_) return;
  hand_over();
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return failed_ || (queue_.empty() && !busy_); });
  throw_if_failed();
}

void RecordWriter::finish() {
  if (!threaded_) return;
  drain();
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
  threaded_ = false;
}

void RecordWriter::write(Item& item) {
  std::visit(
      [&]<auto Method>(StoreCall<Method> & call) {
        std::apply([&](auto&... args) { (store_.*Method)(std::move(args)...); }, call.args);
      },
      item);
}

void RecordWriter::run() {
  std::vector<Item> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (batch.capacity() != 0) spare_.push_back(std::move(batch));
      busy_ = false;
      changed_.notify_all();
      changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, everything written
      batch = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
    }
    try {
      for (auto& item : batch) write(item);
    } catch (...) {
      const std::lock_guard lock(mutex_);
      failed_ = std::current_exception();
      busy_ = false;
      queue_.clear();
      changed_.notify_all();
      return;  // nothing more is written; the producer sees failed_
    }
    batch.clear();  // the records freed here, outside the lock
  }
}

}  // namespace sipscope::store
