// RecordWriter: every Store write of a run, in order, on a writer thread of its own; the
// producer hands over whole batches of queued Store calls through a bounded queue.
//
// The trackers' records (it is their RecordSink) and any other Store call listed in
// RecordWriter::Item are queued as one std::variant each, batched kBatchItems at a time
// (a call weighs 1 + its messages); at most kMaxBatches batches wait, so a producer ahead
// of the disk waits for the writer (for at most one batch's writing). An exception the
// Store throws on the writer thread is thrown again to the producer at its next
// hand-over and by finish().
//
//   store::RecordWriter writer(*store);
//   correlate::CallTracker tracker(writer, limits);        // records queued in order
//   writer.push<&store::Store::upsert_open_call>(row);     // any listed Store call
//   writer.commit();                                       // queued, handed over now
//   writer.finish();  // all written (or the writer's exception thrown); joined
//
// Adding a kind of Store call: one entry in Item (StoreCall<&Store::method>,) and
// `writer.push<&store::Store::method>(args...)` where it is called.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "correlate/records.hpp"
#include "store/store.hpp"

namespace sipscope::store {

namespace detail {
// The arguments of a Store member function, as values the queue owns.
template <typename F>
struct StoreArgs;
template <typename... A>
struct StoreArgs<void (Store::*)(A...)> {
  using type = std::tuple<std::decay_t<A>...>;
};
}  // namespace detail

// One queued call of Store::*Method with its arguments.
template <auto Method>
struct StoreCall {
  typename detail::StoreArgs<decltype(Method)>::type args;
};

class RecordWriter final : public correlate::RecordSink {
 public:
  // Store calls per batch (a call counts with its messages), and batches queued or being
  // written (the producer fills one more). docs/limits.md gives the bytes this holds.
  static constexpr size_t kBatchItems = 512;
  static constexpr size_t kMaxBatches = 4;

  // The Store calls the queue carries (live ticks: open-call rows, commits; --pcap-out:
  // finished rotation files).
  using Item = std::variant<StoreCall<&Store::on_call>, StoreCall<&Store::on_message>,
                            StoreCall<&Store::on_anomaly>, StoreCall<&Store::on_transaction>,
                            StoreCall<&Store::on_diagnostic>, StoreCall<&Store::on_dialog>,
                            StoreCall<&Store::on_call_link>, StoreCall<&Store::on_registration>,
                            StoreCall<&Store::on_peer>, StoreCall<&Store::on_peer_event>,
                            StoreCall<&Store::on_subscription>, StoreCall<&Store::on_activity>,
                            StoreCall<&Store::on_stream>, StoreCall<&Store::on_rtcp>,
                            StoreCall<&Store::upsert_open_call>, StoreCall<&Store::finish_capture>,
                            StoreCall<&Store::commit>, StoreCall<&Store::replace_open_call_rows>,
                            StoreCall<&Store::forget_open_call_rows>>;

  enum class Thread { own, caller };
  // Thread::caller: no thread, every call written at once (the reference the threaded
  // path is compared with in the tests).
  explicit RecordWriter(Store& store, Thread thread = Thread::own);
  // Stops the thread: whatever is still queued is dropped (finish() writes it).
  ~RecordWriter() override;
  RecordWriter(const RecordWriter&) = delete;
  RecordWriter& operator=(const RecordWriter&) = delete;

  template <auto Method, typename... Args>
  void push(Args&&... args) {
    push_weighing<Method>(1, std::forward<Args>(args)...);
  }
  // Store::commit queued, and the batch handed over now (live: readers see it soon).
  void commit();
  // Hands the batch over and waits until everything queued is written (throws the
  // writer's exception); f(store) then runs on this thread, the writer idle.
  template <typename F>
  auto sync(F f) {
    drain();
    return f(store_);
  }
  // Writes everything queued, joins the thread and throws the writer's exception if it
  // had one. Afterwards every call is written on the caller's thread.
  void finish();
  [[nodiscard]] Store& store() { return store_; }

  void on_call(correlate::CallRecord call,
               std::vector<correlate::MessageRecord> messages) override {
    const size_t weight = 1 + messages.size();  // a call weighs with its messages
    push_weighing<&Store::on_call>(weight, std::move(call), std::move(messages));
  }
  void on_message(correlate::MessageRecord m) override { push<&Store::on_message>(std::move(m)); }
  void on_anomaly(correlate::AnomalyRecord a) override { push<&Store::on_anomaly>(std::move(a)); }
  void on_transaction(correlate::TransactionRecord t) override {
    push<&Store::on_transaction>(std::move(t));
  }
  void on_diagnostic(correlate::DiagnosticRecord d) override {
    push<&Store::on_diagnostic>(std::move(d));
  }
  void on_dialog(correlate::DialogRecord d) override { push<&Store::on_dialog>(std::move(d)); }
  void on_call_link(correlate::CallLinkRecord l) override {
    push<&Store::on_call_link>(std::move(l));
  }
  void on_registration(correlate::RegistrationRecord r) override {
    push<&Store::on_registration>(std::move(r));
  }
  void on_peer(correlate::PeerRecord r) override { push<&Store::on_peer>(std::move(r)); }
  void on_peer_event(correlate::PeerEventRecord e) override {
    push<&Store::on_peer_event>(std::move(e));
  }
  void on_subscription(correlate::SubscriptionRecord r) override {
    push<&Store::on_subscription>(std::move(r));
  }
  void on_activity(correlate::ActivityRecord r) override {
    push<&Store::on_activity>(std::move(r));
  }
  void on_stream(correlate::StreamRecord r) override { push<&Store::on_stream>(std::move(r)); }
  void on_rtcp(correlate::RtcpRecord r) override { push<&Store::on_rtcp>(std::move(r)); }

 private:
  template <auto Method, typename... Args>
  void push_weighing(size_t weight, Args&&... args) {
    add(Item(std::in_place_type<StoreCall<Method>>,
             StoreCall<Method>{{std::forward<Args>(args)...}}),
        weight);
  }
  void add(Item&& item, size_t weight);
  void hand_over();  // the batch being filled joins the queue (waits while it is full)
  void drain();      // hand_over(), then wait until the queue is empty and written
  void run();        // the writer thread
  void write(Item& item);
  void throw_if_failed();  // with mutex_ held

  Store& store_;
  bool threaded_;
  std::vector<Item> batch_;  // filled by the producer
  size_t batch_weight_ = 0;  // its items, a call counted with its messages
  std::mutex mutex_;
  std::condition_variable changed_;  // the queue, busy_, failed_ or stopping_ changed
  std::deque<std::vector<Item>> queue_;
  std::vector<std::vector<Item>> spare_;  // written batches, emptied, their capacity kept
  bool busy_ = false;                     // the writer holds a batch
  bool stopping_ = false;
  std::exception_ptr failed_;
  std::thread thread_;
};

}  // namespace sipscope::store
