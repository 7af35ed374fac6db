#pragma once
// --log DIR: one record per board and attempt, for traceability. The record is a JSON file
// (the board's result so far, see docs/write-json.md) rewritten atomically after every step and
// at the end, so a killed process leaves the last complete record with outcome "running"; that
// is also how a later run finds an interrupted attempt to resume.

#include <filesystem>
#include <map>
#include <string>

#include "rtprov/write/events.hpp"

namespace rtprov::write {

// An EventSink stage that keeps one record file per board in `dir` (created when missing) and
// passes every event on to `next`. Record names: <UTC time>-<board>-<pid>-<n>.json. Throws
// Error(Io) when `dir` cannot be created; a record that cannot be written later is reported by a
// Warning event (the board goes on).
class BoardLog {
  public:
    BoardLog(std::filesystem::path dir, EventSink next);
    // Handles one event (not thread-safe: the runner serializes sink calls).
    void operator()(const Event& event);

  private:
    void save(const std::string& board, const BoardResult& result, const Event& event);

    std::filesystem::path dir_;
    EventSink next_;
    std::map<std::string, std::filesystem::path> records_;  // board -> its current record
    unsigned count_ = 0;
};

// True when `dir` holds a record of board `uid` writing package `package_sha256` whose outcome
// is still "running" and whose process is gone (killed, power cut): an interrupted attempt.
bool interrupted_attempt(const std::filesystem::path& dir, const std::string& uid,
                         const std::string& package_sha256);

}  // namespace rtprov::write
