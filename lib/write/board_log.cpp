#include "rtprov/write/board_log.hpp"

#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <fstream>

#include <fmt/format.h>

#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/process.hpp"
#include "rtprov/util/text.hpp"
#include "rtprov/write/events_json.hpp"

namespace rtprov::write {

namespace {

// "uart:/dev/pts/3,115200" -> "uart_dev_pts_3_115200": safe in a file name.
std::string slug(const std::string& board) {
    std::string out;
    for (char c : board) {
        const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
        if (ok) {
            out += c;
        } else if (out.empty() || out.back() != '_') {
            out += '_';
        }
    }
    return out.substr(0, 80);
}

std::string utc_stamp() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

}  // namespace

BoardLog::BoardLog(std::filesystem::path dir, EventSink next)
    : dir_(std::move(dir)), next_(std::move(next)) {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) {
        throw Error(ErrorCode::Io, fmt::format("{}: cannot create the log folder: {}",
                                               dir_.string(), ec.message()));
    }
}

void BoardLog::save(const std::string& board, const BoardResult& result, const Event& event) {
    auto it = records_.find(board);
    if (event.kind == EventKind::Start || it == records_.end()) {
        const auto name =
            fmt::format("{}-{}-{}-{}.json", utc_stamp(), slug(board), ::getpid(), ++count_);
        it = records_.insert_or_assign(board, dir_ / name).first;
    }
    nlohmann::json doc = result_json(result);
    doc["record"] = {{"version", 1},
                     {"pid", ::getpid()},
                     {"host", host_name()},
                     {"last_event", event_kind_name(event.kind)},
                     {"last_step", event.op}};
    try {
        write_file_atomic(it->second, doc.dump(2) + "\n");
    } catch (const Error& e) {
        if (next_) {
            Event w;
            w.kind = EventKind::Warning;
            w.board = board;
            w.time = event.time;
            w.message = fmt::format("--log: {}", e.what());
            next_(w);
        }
    }
}

void BoardLog::operator()(const Event& event) {
    // Progress is frequent and changes nothing a record keeps.
    if (event.kind != EventKind::Progress && event.result != nullptr)
        save(event.board, *event.result, event);
    if (event.kind == EventKind::Result)
        records_.erase(event.board);
    if (next_)
        next_(event);
}

bool interrupted_attempt(const std::filesystem::path& dir, const std::string& uid,
                         const std::string& package_sha256) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
        return false;
    const std::string host = host_name();
    std::optional<std::filesystem::file_time_type> latest_time;
    bool latest_interrupted = false;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.starts_with(".") || entry.path().extension() != ".json")
            continue;
        nlohmann::json doc;
        try {
            const std::string text = read_text_file(entry.path());
            check_json_depth(text, entry.path().string());
            doc = nlohmann::json::parse(text);
        } catch (const std::exception&) {
            continue;  // not a record of ours
        }
        if (!doc.is_object() || doc.value("uid", nlohmann::json()) != uid ||
            doc.value("package_sha256", "") != package_sha256)
            continue;
        const auto rec = doc.value("record", nlohmann::json::object());
        const long pid = rec.value("pid", 0L);
        const bool same_host = rec.value("host", "") == host;
        if (same_host && pid == ::getpid())
            continue;  // this run's own record
        const bool running = doc.value("outcome", "") == "running";
        // A record still "running" whose process lives belongs to another station at work.
        if (running && same_host && process_alive(pid))
            continue;
        const auto t = entry.last_write_time(ec);
        if (!latest_time || t > *latest_time) {
            latest_time = t;
            latest_interrupted = running;
        }
    }
    return latest_interrupted;
}

}  // namespace rtprov::write
