// The `messages.frames` reader (store/message_frames.hpp).
#include "store/message_frames.hpp"

#include <charconv>
#include <string>

#include "store/sql.hpp"

namespace sipscope::store {

std::vector<MessageFrames> message_frames(const Database& db,
                                          const std::vector<int64_t>& call_ids) {
  std::vector<MessageFrames> out;
  sql::Statement st(db.handle(), db.path(),
                    "SELECT capture_id, frames FROM messages WHERE call_id = ?1 AND "
                    "frames IS NOT NULL");
  for (const int64_t id : call_ids) {
    st.bind(1, id);
    while (st.step()) {
      MessageFrames m;
      m.capture_id = static_cast<uint32_t>(st.column_int64(0));
      const std::string list = st.column_text(1);
      const char* p = list.data();
      const char* const end = list.data() + list.size();
      while (p < end) {
        uint64_t n = 0;
        const auto [next, ec] = std::from_chars(p, end, n);
        if (ec != std::errc{}) break;
        m.frames.push_back(n);
        p = next < end && *next == ',' ? next + 1 : end;
      }
      out.push_back(std::move(m));
    }
    st.reset();
  }
  return out;
}

}  // namespace sipscope::store
