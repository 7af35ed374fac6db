#include "rtprov/records/station.hpp"

#include <fmt/format.h>

#include "rtprov/util/error.hpp"

namespace rtprov::records {

Station::Station(Database& db, const write::Job& job, AttemptContext context,
                 std::optional<write::CsvTable> csv, write::EventSink next)
    : db_(db),
      job_(job),
      context_(std::move(context)),
      csv_(std::move(csv)),
      next_(std::move(next)) {}

void Station::check_job() {
    db_.close_abandoned();
    const pkg::Manifest& m = job_.package.manifest;
    write::check_board_csv(m, csv_ ? &*csv_ : nullptr);
    if (m.production.quota) {
        const std::uint64_t passed = db_.passed_boards(job_.package_sha256);
        if (passed >= *m.production.quota) {
            throw Error(ErrorCode::Usage,
                        fmt::format("production quota reached: {} of {} boards passed with this "
                                    "package at this station ({}); the quota is a limit the "
                                    "station keeps in its records, not a cryptographic one",
                                    passed, *m.production.quota, db_.file().string()));
        }
    }
}

std::int64_t Station::attempt_of(const std::string& board) {
    std::lock_guard lock(mutex_);
    const auto it = attempts_.find(board);
    if (it == attempts_.end())
        throw Error(ErrorCode::Internal, fmt::format("{}: no attempt recorded", board));
    return it->second;
}

void Station::install(write::WriteOptions& options) {
    const std::string sha = job_.package_sha256;
    // The hooks run on the board's thread while it is under way: its attempt is known. An
    // attempt gets its UID when admitted, after this question: it never finds itself.
    options.was_interrupted = [this, sha,
                               before = options.was_interrupted](const std::string& uid) {
        const bool here = db_.was_interrupted(uid, sha, -1);
        return (before && before(uid)) || here;
    };
    options.admit = [this, sha](const write::BoardResult& board) {
        db_.admit(attempt_of(board.board), board.uid.value_or(""), sha,
                  job_.package.manifest.production.quota);
    };
    options.reserve = [this](const write::BoardResult& board) {
        return db_.reserve(attempt_of(board.board), board.uid.value_or(""), job_.package.manifest,
                           csv_ ? &*csv_ : nullptr);
    };
}

void Station::operator()(const write::Event& event) {
    if (event.result != nullptr &&
        (event.kind == write::EventKind::Start || event.kind == write::EventKind::StepEnd ||
         event.kind == write::EventKind::Result)) {
        try {
            if (event.kind == write::EventKind::Start) {
                const std::int64_t id = db_.begin_attempt(context_, *event.result);
                std::lock_guard lock(mutex_);
                attempts_[event.board] = id;
            } else {
                db_.update_attempt(attempt_of(event.board), *event.result,
                                   event.kind == write::EventKind::Result);
            }
        } catch (const Error& e) {
            if (next_) {
                write::Event w;
                w.kind = write::EventKind::Warning;
                w.board = event.board;
                w.time = event.time;
                w.message = fmt::format("records: {}", e.what());
                next_(w);
            }
        }
    }
    if (next_)
        next_(event);
}

}  // namespace rtprov::records
