// Reading the records: attempts by filter, one attempt, reservations, production statistics,
// and their JSON and CSV forms.

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "rtprov/records/records.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/text.hpp"
#include "sqlite.hpp"

namespace rtprov::records {

namespace {

using detail::Statement;
using Json = nlohmann::json;

constexpr const char* kColumns =
    "id, started_at, coalesce(finished_at, ''), station, host, pid, package_sha256, "
    "package_file, package_schema, package_writer, device, port, uid, outcome, "
    "coalesce(error_code, ''), coalesce(error_step, ''), coalesce(error, ''), seconds, resumed, "
    "retries, bytes_written, bytes_unchanged, coalesce(hab, ''), steps, fuses, data, last_step, "
    "trust";

// A JSON column of attempt `id`: a database is input like any file, so its nesting is bounded
// before the parser (and a recursive dump) sees it.
Json parsed(const std::string& text, const std::string& file, std::int64_t id,
            std::string_view column) {
    check_json_depth(text, fmt::format("{}: attempt {}: {}", file, id, column));
    try {
        return Json::parse(text);
    } catch (const Json::exception&) {
        return Json::array();
    }
}

Attempt attempt_of(const Statement& s, const std::string& file) {
    Attempt a;
    a.id = s.integer(0);
    a.started_at = s.text(1);
    a.finished_at = s.text(2);
    a.context = {s.text(3), s.text(4), static_cast<long>(s.integer(5)),
                 s.text(7), s.text(8), s.text(9)};
    a.package_sha256 = s.text(6);
    a.device = s.text(10);
    a.port = s.text(11);
    if (!s.is_null(12))
        a.uid = s.text(12);
    a.outcome = s.text(13);
    a.error_code = s.text(14);
    a.error_step = s.text(15);
    a.error = s.text(16);
    a.seconds = s.real(17);
    a.resumed = s.integer(18) != 0;
    a.retries = static_cast<unsigned>(s.integer(19));
    a.bytes_written = static_cast<std::uint64_t>(s.integer(20));
    a.bytes_unchanged = static_cast<std::uint64_t>(s.integer(21));
    a.hab = s.text(22);
    a.steps = parsed(s.text(23), file, a.id, "steps");
    a.fuses = parsed(s.text(24), file, a.id, "fuses");
    a.data = parsed(s.text(25), file, a.id, "data");
    a.last_step = s.text(26);
    a.trust = s.text(27);
    return a;
}

// The WHERE clause of `f` and its parameters, in order.
std::pair<std::string, std::vector<std::string>> where_of(const Filter& f) {
    std::vector<std::string> clauses;
    std::vector<std::string> params;
    if (f.package) {
        clauses.push_back("package_sha256 LIKE ? || '%'");
        params.push_back(*f.package);
    }
    if (f.uid) {
        clauses.push_back("uid = ?");
        params.push_back(*f.uid);
    }
    if (f.outcome) {
        clauses.push_back("outcome = ?");
        params.push_back(*f.outcome);
    }
    if (f.station) {
        clauses.push_back("station = ?");
        params.push_back(*f.station);
    }
    if (f.since) {
        clauses.push_back("started_at >= ?");
        params.push_back(*f.since);
    }
    std::string where;
    for (const auto& c : clauses)
        where += (where.empty() ? " WHERE " : " AND ") + c;
    return {where, params};
}

std::string csv_cell(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos)
        return s;
    std::string out = "\"";
    for (char c : s)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

// "seconds" as written: hours to the hour's start.
std::string hour_of(const std::string& iso) {
    return iso.size() >= 13 ? iso.substr(0, 13) : iso;
}

// Seconds since the epoch of "YYYY-MM-DDTHH:MM:SSZ" (0 when malformed).
double epoch_of(const std::string& iso) {
    std::tm tm{};
    if (::strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm) == nullptr)
        return 0;
    return static_cast<double>(::timegm(&tm));
}

}  // namespace

std::vector<Attempt> Database::attempts(const Filter& filter) {
    std::lock_guard lock(mutex_);
    const auto [where, params] = where_of(filter);
    std::string sql = fmt::format("SELECT {} FROM attempts{} ORDER BY id", kColumns, where);
    if (filter.limit > 0) {
        sql = fmt::format(
            "SELECT * FROM (SELECT {} FROM attempts{} ORDER BY id DESC LIMIT {}) "
            "ORDER BY id",
            kColumns, where, filter.limit);
    }
    Statement s(*db_, sql);
    for (std::size_t i = 0; i < params.size(); ++i)
        s.bind(static_cast<int>(i + 1), std::string_view(params[i]));
    std::vector<Attempt> out;
    while (s.step())
        out.push_back(attempt_of(s, file_.string()));
    return out;
}

std::optional<Attempt> Database::attempt(std::int64_t id) {
    std::lock_guard lock(mutex_);
    Statement s(*db_, fmt::format("SELECT {} FROM attempts WHERE id = ?", kColumns));
    s.bind(1, id);
    if (!s.step())
        return std::nullopt;
    return attempt_of(s, file_.string());
}

std::vector<Reservation> Database::reservations(const std::optional<std::string>& uid) {
    std::lock_guard lock(mutex_);
    Statement s(*db_,
                "SELECT name, source, value, uid, attempt_id, reserved_at FROM reservations "
                "WHERE ?1 IS NULL OR uid = ?1 ORDER BY attempt_id, name");
    s.bind(1, uid);
    std::vector<Reservation> out;
    while (s.step())
        out.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.integer(4), s.text(5)});
    return out;
}

Stats Database::stats(const Filter& filter) {
    Filter all = filter;
    all.limit = 0;
    const std::vector<Attempt> rows = attempts(all);
    Stats st;
    std::map<std::string, bool> first;  // uid -> did its first finished attempt pass
    std::map<std::string, bool> ever;
    std::map<std::pair<std::string, std::string>, Stats::Cause> causes;
    std::map<std::string, Stats::Hour> hours;
    double begin = 0;
    double end = 0;
    for (const Attempt& a : rows) {
        if (a.outcome == "running") {
            ++st.running;
            continue;
        }
        if (a.outcome == "dry-run") {
            ++st.dry_runs;
            continue;
        }
        // A refused board was never touched: not an attempt at it, and no failure cause.
        if (a.outcome == "refused") {
            ++st.refused;
            continue;
        }
        ++st.attempts;
        const bool passed = a.outcome == "passed";
        st.passed += passed ? 1 : 0;
        st.passed_unfused += a.outcome == "passed-unfused" ? 1 : 0;
        st.failed += a.outcome == "failed" ? 1 : 0;
        st.interrupted += a.outcome == "interrupted" ? 1 : 0;
        if (a.uid) {
            first.emplace(*a.uid, passed);
            ever[*a.uid] = ever[*a.uid] || passed;
        }
        if (!passed && a.outcome != "passed-unfused") {
            Stats::Cause& c = causes[{a.error_step, a.error_code}];
            c.step = a.error_step;
            c.code = a.error_code;
            ++c.count;
            c.example = a.error;
        }
        const std::string& done = a.finished_at.empty() ? a.started_at : a.finished_at;
        Stats::Hour& h = hours[hour_of(done)];
        h.hour = hour_of(done);
        if (passed)
            ++h.passed;
        else if (a.outcome != "passed-unfused")
            ++h.failed;
        const double t0 = epoch_of(a.started_at);
        const double t1 = epoch_of(done);
        begin = begin == 0 ? t0 : std::min(begin, t0);
        end = std::max(end, t1);
    }
    st.boards = first.size();
    for (const auto& [uid, ok] : first)
        st.first_pass += ok ? 1 : 0;
    for (const auto& [uid, ok] : ever)
        st.boards_passed += ok ? 1 : 0;
    if (st.boards > 0) {
        st.yield = static_cast<double>(st.boards_passed) / static_cast<double>(st.boards);
        st.first_pass_yield = static_cast<double>(st.first_pass) / static_cast<double>(st.boards);
    }
    for (auto& [key, c] : causes)
        st.causes.push_back(c);
    std::stable_sort(st.causes.begin(), st.causes.end(),
                     [](const auto& a, const auto& b) { return a.count > b.count; });
    for (auto& [key, h] : hours)
        st.hours.push_back(h);
    // A run shorter than a minute is taken as a minute: no absurd rates from a few seconds.
    const double span = std::max(end - begin, 60.0);
    if (st.passed > 0)
        st.passed_per_hour = static_cast<double>(st.passed) * 3600.0 / span;
    return st;
}

Json attempt_json(const Attempt& a) {
    const auto or_null = [](const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); };
    return {
        {"id", a.id},
        {"started_at", a.started_at},
        {"finished_at", or_null(a.finished_at)},
        {"station", a.context.station},
        {"host", a.context.host},
        {"pid", a.context.pid},
        {"package",
         {{"sha256", a.package_sha256},
          {"file", a.context.package_file},
          {"schema", a.context.package_schema},
          {"writer", a.context.package_writer}}},
        {"device", a.device},
        {"port", a.port},
        {"uid", a.uid ? Json(*a.uid) : Json(nullptr)},
        {"outcome", a.outcome},
        {"error", a.error_code.empty() && a.error.empty()
                      ? Json(nullptr)
                      : Json{{"code", a.error_code}, {"step", a.error_step}, {"message", a.error}}},
        {"seconds", a.seconds},
        {"resumed", a.resumed},
        {"retries", a.retries},
        {"bytes_written", a.bytes_written},
        {"bytes_unchanged", a.bytes_unchanged},
        {"hab", or_null(a.hab)},
        {"steps", a.steps},
        {"fuses", a.fuses},
        {"data", a.data},
        {"last_step", a.last_step},
        {"trust", or_null(a.trust)}};
}

std::string attempts_csv(const std::vector<Attempt>& attempts) {
    std::string out =
        "id,started_at,finished_at,station,host,package_sha256,package_file,package_schema,"
        "device,port,uid,outcome,error_code,error_step,error,seconds,resumed,retries,"
        "bytes_written,bytes_unchanged,hab,steps,fuses_written,data,trust\n";
    for (const Attempt& a : attempts) {
        std::string steps;
        for (const auto& s : a.steps) {
            steps += fmt::format("{}{}={:.3f}", steps.empty() ? "" : ";",
                                 s.value("op", std::string()), s.value("seconds", 0.0));
        }
        std::string fuses;
        for (const auto& f : a.fuses) {
            if (f.value("status", "") == "programmed") {
                fuses += fmt::format("{}{}={}", fuses.empty() ? "" : ";",
                                     f.value("word", std::string()), f.value("new", std::string()));
            }
        }
        std::string data;
        for (const auto& d : a.data) {
            data += fmt::format("{}{}={}", data.empty() ? "" : ";", d.value("name", std::string()),
                                d.value("value", std::string()));
        }
        const std::vector<std::string> cells = {fmt::format("{}", a.id),
                                                a.started_at,
                                                a.finished_at,
                                                a.context.station,
                                                a.context.host,
                                                a.package_sha256,
                                                a.context.package_file,
                                                a.context.package_schema,
                                                a.device,
                                                a.port,
                                                a.uid.value_or(""),
                                                a.outcome,
                                                a.error_code,
                                                a.error_step,
                                                a.error,
                                                fmt::format("{:.3f}", a.seconds),
                                                a.resumed ? "1" : "0",
                                                fmt::format("{}", a.retries),
                                                fmt::format("{}", a.bytes_written),
                                                fmt::format("{}", a.bytes_unchanged),
                                                a.hab,
                                                steps,
                                                fuses,
                                                data,
                                                a.trust};
        for (std::size_t i = 0; i < cells.size(); ++i)
            out += (i == 0 ? "" : ",") + csv_cell(cells[i]);
        out += "\n";
    }
    return out;
}

Json stats_json(const Stats& s) {
    Json causes = Json::array();
    for (const auto& c : s.causes) {
        causes.push_back(
            {{"step", c.step}, {"code", c.code}, {"count", c.count}, {"example", c.example}});
    }
    Json hours = Json::array();
    for (const auto& h : s.hours)
        hours.push_back({{"hour", h.hour}, {"passed", h.passed}, {"failed", h.failed}});
    const auto ratio = [](double v) { return std::round(v * 10000) / 10000; };
    return {{"attempts", s.attempts},
            {"passed", s.passed},
            {"passed_unfused", s.passed_unfused},
            {"refused", s.refused},
            {"failed", s.failed},
            {"interrupted", s.interrupted},
            {"running", s.running},
            {"dry_runs", s.dry_runs},
            {"boards", s.boards},
            {"boards_passed", s.boards_passed},
            {"first_pass", s.first_pass},
            {"yield", ratio(s.yield)},
            {"first_pass_yield", ratio(s.first_pass_yield)},
            {"causes", causes},
            {"hours", hours},
            {"passed_per_hour", std::round(s.passed_per_hour * 10) / 10}};
}

}  // namespace rtprov::records
