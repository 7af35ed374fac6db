#include "write_display.hpp"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "rtprov/write/events_json.hpp"
#include "rtprov/write/fuse_plan.hpp"

namespace rtprov::cli {

namespace {

std::string bytes_text(double n) {
    if (n >= 1024 * 1024)
        return fmt::format("{:.1f} MiB", n / (1024 * 1024));
    if (n >= 1024)
        return fmt::format("{:.1f} KiB", n / 1024);
    return fmt::format("{:.0f} B", n);
}

std::string result_text(const write::BoardResult& r) {
    const std::string uid = r.uid ? " uid " + *r.uid : "";
    switch (r.outcome) {
        case write::Outcome::Passed:
        case write::Outcome::PassedUnfused:
            return fmt::format(
                "{}: {} in {:.2f} s{}: {} bytes written, {} unchanged{}; {}{}{}", r.board,
                write::outcome_name(r.outcome), r.seconds, uid, r.bytes_written, r.bytes_unchanged,
                r.retries > 0 ? fmt::format(", {} retries", r.retries) : "", r.boot_check,
                r.outcome == write::Outcome::PassedUnfused
                    ? "; the package's fuse plan was NOT burned (--burn-srk): not a finished board"
                : r.fuses_waived ? "; fuse plan waived (--no-fuses)"
                                 : "",
                r.trust == write::Trust::UnsignedFuses
                    ? "; fuses from an untrusted package (--allow-unsigned-fuses)"
                    : "");
        case write::Outcome::Refused:
            return fmt::format("{}: REFUSED by the station{}: {} (nothing was changed on it)",
                               r.board, uid, r.error);
        case write::Outcome::DryRun:
            return fmt::format("{}: dry run{}: nothing changed", r.board, uid);
        default:
            return fmt::format("{}: {} at {} after {:.2f} s{}: {}", r.board,
                               r.outcome == write::Outcome::Interrupted ? "INTERRUPTED" : "FAILED",
                               r.error_step, r.seconds, uid, r.error);
    }
}

}  // namespace

WriteDisplay::Mode WriteDisplay::mode_for(bool json) {
    if (json)
        return Mode::Json;
    return ::isatty(STDOUT_FILENO) != 0 ? Mode::Live : Mode::Plain;
}

void WriteDisplay::close() {
    if (mode_ == Mode::Live && drawn_ > 0) {
        fmt::print("\x1b[{}A", drawn_);  // back to the top of the block
        for (std::size_t i = 0; i < drawn_; ++i)
            fmt::print("\x1b[2K\n");
        fmt::print("\x1b[{}A", drawn_);
        std::fflush(stdout);
        drawn_ = 0;
    }
    closed_ = true;
}

void WriteDisplay::print_above(const std::string& text) {
    const bool was_closed = closed_;
    close();
    closed_ = was_closed;
    fmt::print("{}\n", text);
    redraw(true);
}

std::string WriteDisplay::board_line(const std::string& name, const Board& b) const {
    if (!b.state.empty())
        return fmt::format("{:<28} {}", name, b.state);
    std::string line = fmt::format("{:<28} {:<17}", name, b.op);
    if (b.total > 0) {
        const double pct = 100.0 * static_cast<double>(b.done) / static_cast<double>(b.total);
        line += fmt::format(" {:5.1f}% {:>10}/{:<10} {:>10}/s", pct,
                            bytes_text(static_cast<double>(b.done)),
                            bytes_text(static_cast<double>(b.total)), bytes_text(b.rate));
        if (b.eta)
            line += fmt::format(" ETA {:.0f} s", *b.eta);
    }
    return line;
}

void WriteDisplay::redraw(bool force) {
    if (mode_ != Mode::Live || closed_)
        return;
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - last_draw_ < std::chrono::milliseconds(100))
        return;
    last_draw_ = now;
    if (drawn_ > 0)
        fmt::print("\x1b[{}A", drawn_);
    for (const auto& name : order_)
        fmt::print("\x1b[2K{}\n", board_line(name, boards_[name]));
    drawn_ = order_.size();
    std::fflush(stdout);
}

void WriteDisplay::operator()(const write::Event& e) {
    using write::EventKind;
    if (mode_ == Mode::Json) {
        fmt::print("{}\n", write::event_json(e).dump());
        std::fflush(stdout);
        return;
    }
    if (e.kind == EventKind::Start && !boards_.count(e.board))
        order_.push_back(e.board);
    Board& b = boards_[e.board];
    switch (e.kind) {
        case EventKind::Start:
            b = Board{};
            if (mode_ == Mode::Plain && !quiet_)
                print_above(fmt::format("{}: start", e.board));
            break;
        case EventKind::StepStart:
            b.op = e.op;
            b.done = b.total = 0;
            b.eta.reset();
            break;
        case EventKind::Progress:
            b.done = e.done;
            b.total = e.total;
            b.rate = e.rate;
            b.eta = e.eta;
            break;
        case EventKind::StepEnd:
            if (mode_ == Mode::Plain && !quiet_) {
                print_above(fmt::format("{}: {} {} ({:.2f} s){}{}", e.board, e.op, e.status,
                                        e.seconds, e.message.empty() ? "" : ": ", e.message));
            }
            break;
        case EventKind::FusePlan:
            if (!quiet_ && e.result != nullptr && e.op == "read-fuses") {
                for (const auto& f : e.result->fuses) {
                    // A secret word shows "secret (SW_GP2_0)", a partial word its bits.
                    const std::string target =
                        f.status == write::FuseStatus::Assigned && f.secret.empty()
                            ? "assigned at write time"
                            : write::fuse_value_text(f, f.target);
                    const std::string bits =
                        f.mask == 0xFFFFFFFF ? "" : fmt::format(" (bits 0x{:08x})", f.mask);
                    print_above(fmt::format("{}: fuse {:<10} index 0x{:02X}  {} -> {:<10}  "
                                            "{:<14} {}{}",
                                            e.board, f.word, f.index,
                                            write::fuse_value_text(f, f.current), target,
                                            write::fuse_status_name(f.status), f.purpose, bits));
                }
            }
            break;
        case EventKind::Retry:
            if (!quiet_) {
                print_above(fmt::format("{}: {}: retry {} in {} ms: {}", e.board, e.op, e.attempt,
                                        e.delay_ms, e.message));
            }
            break;
        case EventKind::Warning:
            if (!quiet_)
                print_above(fmt::format("{}: warning: {}", e.board, e.message));
            break;
        case EventKind::Result:
            if (e.result != nullptr) {
                b.state = std::string(write::outcome_name(e.result->outcome));
                print_above(result_text(*e.result));
            }
            break;
    }
    redraw(false);
}

void WriteDisplay::extra(const nlohmann::json& doc, const std::string& text) {
    if (mode_ == Mode::Json) {
        fmt::print("{}\n", doc.dump());
        std::fflush(stdout);
    } else if (!text.empty()) {
        print_above(text);
    }
}

}  // namespace rtprov::cli
