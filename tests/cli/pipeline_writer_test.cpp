// run_pipeline with its writer thread: the same database as writing on the pipeline's own
// thread (row by row, every sample capture), and a stop acted on within a second while
// the writer is the bottleneck (SIP-only traffic from the generator).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "cli/pipeline.hpp"
#include "store/record_writer.hpp"
#include "tests/cli/run_command.hpp"
#include "tests/store/db_dump.hpp"

namespace sipscope::cli {
namespace {

using testing::run;
using testing::shell_quote;
using testing::temp_dir;

const volatile std::sig_atomic_t kNoStop = 0;

// What `analyze CAPTURE --db DB` does, with the writer on its own thread or not.
void analyze_into(const std::string& capture, const std::string& db,
                  store::RecordWriter::Thread thread) {
  capture::MergedReader input({capture}, 0);
  auto store = store::Store::open(db, store::Store::Mode::replace);
  input.set_first_capture_id(store->add_capture(capture));
  store->commit();
  PipelineOptions options;
  options.limits.first_call_id = store->next_call_id();
  store::RecordWriter writer(*store, thread);
  (void)run_pipeline(input, writer, options, kNoStop);
  store->close();
}

std::vector<std::filesystem::path> sample_captures() {
  std::vector<std::filesystem::path> out;
  const auto root = std::filesystem::path(SIPSCOPE_SOURCE_DIR) / "samples";
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    const auto ext = e.path().extension();
    if (ext == ".pcap" || ext == ".pcapng") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(PipelineWriter, ThreadedWriterGivesTheDirectDatabaseOnEverySample) {
  const auto dir = temp_dir("pipeline-writer");
  const auto captures = sample_captures();
  ASSERT_GT(captures.size(), 20U);
  for (const auto& capture : captures) {
    SCOPED_TRACE(capture.string());
    const auto direct = (dir / "direct.db").string();
    const auto threaded = (dir / "threaded.db").string();
    analyze_into(capture.string(), direct, store::RecordWriter::Thread::caller);
    analyze_into(capture.string(), threaded, store::RecordWriter::Thread::own);
    auto a = store::test::dump_rows(direct);
    auto b = store::test::dump_rows(threaded);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], b[i]) << "row " << i;
  }
  std::filesystem::remove_all(dir);
}

// A frame source that notes when the pipeline last asked for a frame.
class TimedSource final : public capture::FrameSource {
 public:
  explicit TimedSource(capture::FrameSource& inner) : inner_(inner) {}
  Next pull(decode::Frame& out) override {
    last_pull_ = std::chrono::steady_clock::now().time_since_epoch().count();
    return inner_.pull(out);
  }
  [[nodiscard]] std::vector<capture::CaptureInfo> captures() const override {
    return inner_.captures();
  }
  void mark_interrupted() override { inner_.mark_interrupted(); }
  [[nodiscard]] std::chrono::steady_clock::time_point last_pull() const {
    return std::chrono::steady_clock::time_point(
        std::chrono::steady_clock::duration(last_pull_.load()));
  }

 private:
  capture::FrameSource& inner_;
  std::atomic<std::chrono::steady_clock::rep> last_pull_{0};
};

TEST(PipelineWriter, StopIsActedOnWithinASecondWhileTheWriterIsBehind) {
  const auto dir = temp_dir("pipeline-writer-stop");
  const auto capture = dir / "sip.pcap";
  // SIP only: the writer, not the decoder, is the slow side, so the queue fills.
  const auto gen = run(
      shell_quote(SIPSCOPE_GEN_EXE) + " sip --scale 0.05 -o " + shell_quote(capture.string()), dir);
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  capture::MergedReader reader({capture.string()}, 0);
  TimedSource input(reader);
  auto store = store::Store::open((dir / "a.db").string(), store::Store::Mode::replace);
  reader.set_first_capture_id(store->add_capture(capture.string()));
  PipelineOptions options;
  options.limits.first_call_id = store->next_call_id();
  store::RecordWriter writer(*store);
  volatile std::sig_atomic_t stop = 0;
  PipelineResult result;
  std::thread pipeline([&] { result = run_pipeline(input, writer, options, stop); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto stopped = std::chrono::steady_clock::now();
  stop = 1;
  pipeline.join();
  const auto returned = std::chrono::steady_clock::now();
  EXPECT_TRUE(result.interrupted) << "the capture was read to its end before the stop";
  EXPECT_LT(input.last_pull() - stopped, std::chrono::seconds(1));
  // Then the open calls are flushed and everything queued written: still prompt.
  EXPECT_LT(returned - stopped, std::chrono::seconds(5));
  store->close();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sipscope::cli
