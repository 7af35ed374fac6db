// rtprov records: the station's production record (written by `rtprov write`): list attempts,
// show one, export them as CSV or JSON, and production statistics (yield, failure causes,
// throughput).

#include <fmt/format.h>

#include "command.hpp"
#include "rtprov/records/records.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/text.hpp"

namespace rtprov::cli {

namespace {

constexpr const char* kFooter =
    "Examples:\n"
    "  rtprov records list --limit 20              # the newest attempts\n"
    "  rtprov records list --uid 1a2b3c4d5e6f7081   # every attempt on one board\n"
    "  rtprov records show 42 --json\n"
    "  rtprov records export --csv -o line1.csv --since 2026-01-31\n"
    "  rtprov records stats --package 3f2a          # yield, failure causes, boards per hour\n"
    "The database is the station's records.sqlite (--station-dir DIR, default\n"
    "$RTPROV_STATION_DIR, else ~/.local/share/rtprov/station; or --db FILE), written by\n"
    "`rtprov write`: one row per board attempt with its time, station, package, part, port,\n"
    "UID, step timings, fuse words, per-board values, outcome and error (docs/records.md).\n"
    "Attempts still \"running\" belong to a write under way or one that was killed (the next\n"
    "write on the station marks those \"interrupted\").";

struct FilterArgs {
    std::string package, uid, outcome, station, since;
    std::size_t limit = 0;
};

void add_filters(CLI::App* app, FilterArgs& f, bool limit) {
    app->add_option("--package", f.package, "Only this package (SHA-256 or a prefix of it)");
    app->add_option("--uid", f.uid, "Only this board (UID, 16 hex digits)");
    app->add_option("--outcome", f.outcome, "Only this outcome")
        ->check(CLI::IsMember({"running", "passed", "passed-unfused", "refused", "failed",
                                "interrupted", "dry-run"}));
    app->add_option("--station", f.station, "Only this station");
    app->add_option("--since", f.since, "Only attempts started at or after (UTC, 2026-01-31T08)");
    if (limit)
        app->add_option("--limit", f.limit, "Only the newest N attempts");
}

records::Filter filter_of(const FilterArgs& a) {
    records::Filter f;
    const auto opt = [](const std::string& s) {
        return s.empty() ? std::nullopt : std::optional<std::string>(s);
    };
    f.package = opt(a.package);
    f.uid = opt(a.uid);
    f.outcome = opt(a.outcome);
    f.station = opt(a.station);
    f.since = opt(a.since);
    f.limit = a.limit;
    return f;
}

std::string percent(double v) {
    return fmt::format("{:.1f}%", v * 100);
}

// Text from the database is shown through printable(): a name or value with escape sequences
// (stored by an older rtprov, or written into the file) reaches the terminal as \xNN.
void print_attempt(Output& out, const records::Attempt& a) {
    out.text("attempt {}: {}{}", a.id, a.outcome,
             a.error.empty() ? ""
                             : fmt::format(" ({} in {}: {})", a.error_code, a.error_step,
                                           printable(a.error)));
    out.text("  started {}, finished {}, {:.1f} s{}{}", a.started_at,
             a.finished_at.empty() ? "-" : a.finished_at, a.seconds, a.resumed ? ", resumed" : "",
             a.retries > 0 ? fmt::format(", {} retries", a.retries) : "");
    out.text("  station {} (host {}, pid {})", printable(a.context.station),
             printable(a.context.host), a.context.pid);
    out.text("  package {} ({}, schema {}, {}), signature {}", a.package_sha256,
             printable(a.context.package_file), printable(a.context.package_schema),
             printable(a.context.package_writer), a.trust.empty() ? "not recorded" : printable(a.trust));
    out.text("  part {}, port {}, UID {}, HAB {}", printable(a.device), printable(a.port),
             printable(a.uid.value_or("unknown")), a.hab.empty() ? "unknown" : printable(a.hab));
    out.text("  bytes written {}, unchanged {}", a.bytes_written, a.bytes_unchanged);
    out.text("  steps:");
    for (const auto& s : a.steps) {
        out.text("    {:<17} {:<7} {:>7.3f} s  {}", s.value("op", std::string()),
                 s.value("status", std::string()), s.value("seconds", 0.0),
                 printable(s.value("detail", std::string())));
    }
    out.text("  fuse words:{}", a.fuses.empty() ? " none" : "");
    for (const auto& f : a.fuses) {
        // A dry run's per-board word has no value yet ("new": null).
        const auto target = f.contains("new") && f["new"].is_string()
                                ? f["new"].get<std::string>()
                                : std::string("assigned at write time");
        out.text("    {:<10} {} -> {} {}", f.value("word", std::string()),
                 f.value("current", std::string()), target, f.value("status", std::string()));
    }
    out.text("  per-board values:{}", a.data.empty() ? " none" : "");
    for (const auto& d : a.data) {
        out.text("    {} = {} ({}, {}) {}", printable(d.value("name", std::string())),
                 printable(d.value("value", std::string())), d.value("source", std::string()),
                 d.value("target", std::string()), d.value("status", std::string()));
    }
}

class RecordsCommand : public Command {
  public:
    void setup(CLI::App& app) override {
        app.footer(kFooter);
        app.require_subcommand(1);
        app.add_option("--station-dir", dir_, "Station directory (holds records.sqlite)");
        app.add_option("--db", db_, "The records database file itself");
        list_ = app.add_subcommand("list", "One line per attempt, oldest first");
        add_filters(list_, filters_, true);
        show_ = app.add_subcommand("show", "Everything recorded about one attempt");
        show_->add_option("id", id_, "Attempt number (from list)")->required();
        export_ = app.add_subcommand("export", "Every attempt as CSV or JSON");
        auto* csv = export_->add_flag("--csv", csv_, "CSV, one line per attempt (the default)");
        export_->add_flag("--json", json_export_, "A JSON array of attempts")->excludes(csv);
        export_->add_option("-o,--output", output_, "Write to FILE (atomically), not stdout");
        add_filters(export_, filters_, false);
        stats_ = app.add_subcommand("stats", "Yield, failure causes and throughput per hour");
        add_filters(stats_, filters_, false);
    }

    int run(Output& out) override {
        if (!dir_.empty() && !db_.empty())
            throw Error(ErrorCode::Usage, "give --station-dir or --db, not both");
        const std::filesystem::path file =
            !db_.empty() ? std::filesystem::path(db_)
                         : records::database_path(dir_.empty() ? records::default_station_dir()
                                                               : std::filesystem::path(dir_));
        records::Database db(file, false);
        if (list_->parsed())
            return list(out, db);
        if (show_->parsed())
            return show(out, db);
        if (export_->parsed())
            return export_records(out, db);
        return stats(out, db);
    }

  private:
    int list(Output& out, records::Database& db) {
        const auto rows = db.attempts(filter_of(filters_));
        nlohmann::json doc = nlohmann::json::array();
        for (const auto& a : rows) {
            doc.push_back(records::attempt_json(a));
            out.text("{:>6}  {}  {:<10} {:<28} {:<16} {:<11} {:>7.1f} s  {}", a.id, a.started_at,
                     printable(a.context.station), printable(a.port),
                     printable(a.uid.value_or("-")), a.outcome, a.seconds, printable(a.error));
        }
        if (rows.empty())
            out.text("no attempts recorded{}",
                     filters_.uid.empty() && filters_.package.empty() ? "" : " that match");
        out.result(doc);
        return 0;
    }

    int show(Output& out, records::Database& db) {
        const auto a = db.attempt(id_);
        if (!a)
            throw Error(ErrorCode::BadInput,
                        fmt::format("{}: no attempt {}", db.file().string(), id_));
        out.result(records::attempt_json(*a));
        print_attempt(out, *a);
        return 0;
    }

    int export_records(Output& out, records::Database& db) {
        const auto rows = db.attempts(filter_of(filters_));
        std::string text;
        if (json_export_) {
            nlohmann::json doc = nlohmann::json::array();
            for (const auto& a : rows)
                doc.push_back(records::attempt_json(a));
            text = doc.dump(2) + "\n";
        } else {
            text = records::attempts_csv(rows);
        }
        if (output_.empty()) {
            fmt::print("{}", text);
            return 0;
        }
        write_file_atomic(output_, text);
        out.text("wrote {} attempts to {}", rows.size(), output_);
        out.result({{"output", output_}, {"attempts", rows.size()}});
        return 0;
    }

    int stats(Output& out, records::Database& db) {
        const records::Stats s = db.stats(filter_of(filters_));
        out.result(records::stats_json(s));
        out.text(
            "attempts: {} finished: {} passed, {} passed-unfused, {} failed, {} interrupted ({} "
            "refused, {} running, {} dry run{})",
            s.attempts, s.passed, s.passed_unfused, s.failed, s.interrupted, s.refused, s.running,
            s.dry_runs, s.dry_runs == 1 ? "" : "s");
        out.text("boards: {}, {} passed (yield {}), {} passed the first time ({})", s.boards,
                 s.boards_passed, percent(s.yield), s.first_pass, percent(s.first_pass_yield));
        out.text("failure causes:{}", s.causes.empty() ? " none" : "");
        for (const auto& c : s.causes) {
            out.text("  {:>5}  {} ({}): {}", c.count, c.step.empty() ? "-" : c.step,
                     c.code.empty() ? "-" : c.code, c.example);
        }
        out.text("throughput: {:.1f} boards passed per hour", s.passed_per_hour);
        for (const auto& h : s.hours)
            out.text("  {}h  {} passed, {} failed", h.hour, h.passed, h.failed);
        return 0;
    }

    std::string dir_, db_, output_;
    FilterArgs filters_;
    std::int64_t id_ = 0;
    bool csv_ = false;
    bool json_export_ = false;
    CLI::App* list_ = nullptr;
    CLI::App* show_ = nullptr;
    CLI::App* export_ = nullptr;
    CLI::App* stats_ = nullptr;
};

}  // namespace

std::unique_ptr<Command> make_records_command() {
    return std::make_unique<RecordsCommand>();
}

}  // namespace rtprov::cli
