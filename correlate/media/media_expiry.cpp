// MediaTracker, expiry and bounds: idle streams and call entries leave in time order, full
// tables give up their quietest item (with an anomaly row), finish() flushes the rest.
#include <algorithm>
#include <string>

#include "correlate/media/media_tracker_impl.hpp"
#include "decode/sip/fields.hpp"

namespace sipscope::correlate::media {
CallMedia& MediaTracker::Impl::call_media(int64_t call_id, const decode::FrameRef& frame) {
  if (auto it = calls.find(call_id); it != calls.end()) return it->second;
  if (calls.size() >= std::max<size_t>(limits.max_call_media, 1)) evict_oldest_call(frame);
  CallMedia& cm = calls[call_id];
  cm.stamp = next_stamp++;
  cm.last_us = frame.ts_us;
  call_due.push(frame.ts_us + 2 * limits.stream_idle_us, call_id, cm.stamp);
  return cm;
}

void MediaTracker::Impl::drop_call(std::unordered_map<int64_t, CallMedia>::iterator it) {
  flush_call(it->first, it->second);
  for (const auto& ep : it->second.bound) bindings.forget(it->first, ep);
  calls.erase(it);
}

void MediaTracker::Impl::limit_anomaly(decode::AnomalyKind kind, const decode::FrameRef& frame,
                                       std::string detail) {
  AnomalyRecord a;
  a.capture_id = frame.capture_id;
  a.frame = frame.number;
  a.ts_us = frame.ts_us;
  a.kind = kind;
  a.detail = std::move(detail);
  ++stats.anomalies;
  sink.on_anomaly(std::move(a));
}

// The queue's front is the quietest item once its entry is current: an entry queued
// before the item's last packet is queued again at the real time and the next one looked at.
void MediaTracker::Impl::evict_oldest_stream(const decode::FrameRef& frame) {
  while (const auto* e = stream_due.top()) {
    const auto x = *e;
    stream_due.pop();
    StreamState* st = streams.find(x.key);
    if (st == nullptr || st->stamp != x.stamp) continue;
    const int64_t due = st->last_us + idle_of(*st);
    if (due != x.due_us) {
      stream_due.push(due, x.key, x.stamp);
      continue;
    }
    flush_stream(x.key, *st);
    erase_stream(x.key);
    limit_anomaly(decode::AnomalyKind::stream_table_full, frame,
                  "open-stream limit " + std::to_string(limits.max_streams) + " reached; stream " +
                      x.key.src.to_string() + " -> " + x.key.dst.to_string() + " flushed early");
    return;
  }
}

void MediaTracker::Impl::evict_oldest_call(const decode::FrameRef& frame) {
  while (const auto* e = call_due.top()) {
    const auto x = *e;
    call_due.pop();
    auto it = calls.find(x.key);
    if (it == calls.end() || it->second.stamp != x.stamp) continue;
    const int64_t due = it->second.last_us + 2 * limits.stream_idle_us;
    if (due != x.due_us) {
      call_due.push(due, x.key, x.stamp);
      continue;
    }
    drop_call(it);
    limit_anomaly(decode::AnomalyKind::call_media_table_full, frame,
                  "per-call media limit " + std::to_string(limits.max_call_media) +
                      " reached; media of call " + std::to_string(x.key) + " flushed early");
    return;
  }
}

int64_t MediaTracker::Impl::idle_of(const StreamState& st) const {
  if (limits.ended_stream_idle_us <= 0 || !st.call_id) return limits.stream_idle_us;
  const auto it = calls.find(*st.call_id);
  if (it == calls.end() || !it->second.ended) return limits.stream_idle_us;
  return std::min(limits.stream_idle_us, limits.ended_stream_idle_us);
}

void MediaTracker::Impl::note_end(CallMedia& cm, const decode::sip::Message& m) {
  if (limits.ended_stream_idle_us <= 0) return;
  const bool was = cm.ended;
  if (m.is_request()) {
    if (m.method() == "BYE") cm.ended = true;
    if (m.method() == "INVITE" && !has_to_tag(m)) cm.ended = false;
  } else if (m.status_code() >= 200) {
    decode::sip::CSeq cseq;
    if (decode::sip::parse_cseq(m.header_value(decode::sip::HeaderId::cseq), cseq) &&
        cseq.method == "INVITE" && !cm.bye_us) {
      const int code = m.status_code();
      cm.ended = code >= 300 && code != 401 && code != 407 && !cm.answered;
    }
  }
  if (!cm.ended || was) return;
  for (const auto& k : cm.keys) {
    if (const StreamState* st = streams.find(k)) {
      stream_due.push(st->last_us + idle_of(*st), k, st->stamp);
    }
  }
}

void MediaTracker::Impl::expire_streams() {
  while (const auto* e = stream_due.top()) {
    if (e->due_us >= now_us) break;
    const auto x = *e;
    stream_due.pop();
    StreamState* st = streams.find(x.key);
    if (st == nullptr || st->stamp != x.stamp) continue;
    // Idle means now - last > idle, i.e. due = last + idle < now.
    const int64_t due = st->last_us + idle_of(*st);
    if (due >= now_us) {
      stream_due.push(due, x.key, x.stamp);
      continue;
    }
    flush_stream(x.key, *st);
    erase_stream(x.key);
  }
  stream_due.compact(streams.size(), [this](const StreamKey& k, uint64_t stamp) {
    const StreamState* s = streams.find(k);
    return s != nullptr && s->stamp == stamp;
  });
}

void MediaTracker::Impl::expire_calls() {
  while (const auto* e = call_due.top()) {
    if (e->due_us >= now_us) break;
    const auto x = *e;
    call_due.pop();
    auto it = calls.find(x.key);
    if (it == calls.end() || it->second.stamp != x.stamp) continue;
    const int64_t due = it->second.last_us + 2 * limits.stream_idle_us;
    if (due >= now_us) {
      call_due.push(due, x.key, x.stamp);
      continue;
    }
    drop_call(it);
  }
  call_due.compact(calls.size(), [this](int64_t id, uint64_t stamp) {
    auto it = calls.find(id);
    return it != calls.end() && it->second.stamp == stamp;
  });
}

void MediaTracker::Impl::advance(int64_t now) {
  now_us = std::max(now_us, now);
  // Once per second of capture time, as before the queues (live: every ended-stream idle
  // time at most, so an ended call's streams are not late); each step costs what expires.
  int64_t sweep_us = 1'000'000;
  if (limits.ended_stream_idle_us > 0) sweep_us = std::min(sweep_us, limits.ended_stream_idle_us);
  if (now_us - last_sweep_us < sweep_us) return;
  last_sweep_us = now_us;
  expire_streams();
  expire_calls();
  probation_expire();
  bindings.expire(now_us - limits.binding_idle_us);
}

void MediaTracker::Impl::finish() {
  probation_finish();
  due.clear();
  streams.for_each([&](const StreamKey& k, StreamState&) { due.push_back(k); });
  // Deterministic order: by first packet.
  std::sort(due.begin(), due.end(), [this](const StreamKey& a, const StreamKey& b) {
    const StreamState* x = streams.find(a);
    const StreamState* y = streams.find(b);
    if (x->first_frame != y->first_frame) return x->first_frame < y->first_frame;
    return x->first_us < y->first_us;
  });
  for (const auto& k : due) {
    flush_stream(k, *streams.find(k));
    erase_stream(k);
  }
  std::vector<int64_t> ids;
  ids.reserve(calls.size());
  for (const auto& [id, cm] : calls) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  for (int64_t id : ids) flush_call(id, calls[id]);
  calls.clear();
  stream_due.clear();
  call_due.clear();
}

}  // namespace sipscope::correlate::media
