// write_board: the step loop and the link (connect, probe, load the flashloader, retry).

#include <algorithm>
#include <ctime>
#include <thread>

#include <fmt/format.h>

#include "board_writer.hpp"

namespace rtprov::write {

namespace detail {

namespace {

using namespace std::chrono_literals;

// How long a probe waits for the boot ROM or a flashloader to answer.
constexpr auto kProbe = 400ms;
// How long a flashloader may take to answer after the jump (then the port is opened again: a
// USB flashloader enumerates as another device), and how long re-opening may take.
constexpr auto kLoaderStart = 1500ms;
constexpr auto kReenumerate = 5s;

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

bool retryable_status(std::uint32_t status) {
    using S = proto::mboot::Status;
    switch (static_cast<S>(status)) {
        case S::Fail:
        case S::Timeout:
        case S::AbortDataPhase:
        case S::MemoryWriteFailed:
        case S::MemoryReadFailed:
        case S::MemoryVerifyFailed:
        case S::MemoryNotConfigured:
        case S::FlexspiNorProgramFail:
        case S::FlexspiNorEraseSectorFail:
        case S::FlexspiNorEraseAllFail:
        case S::FlexspiNorWaitTimeout:
            return true;
        default:
            return false;
    }
}

Progress::Progress(BoardWriter& w, std::uint64_t total) : w_(w), total_(total) {}

void Progress::set(std::uint64_t done) {
    done_ = done;
    const auto now = Clock::now();
    // A few events per second per board are plenty for a display and keep --json small.
    if (done_ < total_ && now - last_ < 200ms)
        return;
    if (done_ >= total_ && last_ != Clock::time_point{} && done_ == reported_)
        return;
    last_ = now;
    reported_ = done_;
    const double secs = std::chrono::duration<double>(now - start_).count();
    Event e = w_.event(EventKind::Progress);
    e.done = done_;
    e.total = total_;
    e.rate = secs > 0 ? static_cast<double>(done_) / secs : 0;
    if (e.rate > 0 && done_ <= total_)
        e.eta = static_cast<double>(total_ - done_) / e.rate;
    w_.emit(e);
}

BoardWriter::BoardWriter(const Job& job, const WriteOptions& options, const Port& port,
                         const EventSink& sink, const std::atomic<bool>* stop)
    : job_(job), o_(options), port_(port), sink_(sink), stop_(stop) {}

Event BoardWriter::event(EventKind kind) const {
    Event e;
    e.kind = kind;
    e.board = r_.board;
    e.time = seconds_since(start_);
    e.step = step_index_;
    e.op = step_op_;
    e.result = &r_;
    return e;
}

void BoardWriter::emit(Event e) {
    if (sink_)
        sink_(e);
}

void BoardWriter::warn(const std::string& message) {
    Event e = event(EventKind::Warning);
    e.message = message;
    emit(e);
}

void BoardWriter::check_stop() const {
    if (stop_ != nullptr && stop_->load())
        throw Interrupted();
}

void BoardWriter::backoff(unsigned attempt, const std::string& reason) {
    const auto delay = std::min<std::chrono::milliseconds>(
        o_.backoff * (1u << std::min(attempt - 1, 10u)), 2000ms);
    ++r_.retries;
    Event e = event(EventKind::Retry);
    e.attempt = attempt + 1;
    e.delay_ms = static_cast<unsigned>(delay.count());
    e.message = reason;
    emit(e);
    for (auto left = delay; left > 0ms; left -= 50ms) {
        check_stop();
        std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(left, 50ms));
    }
}

proto::McuBootClient& BoardWriter::mb() {
    if (!mb_)
        connect();
    return *mb_;
}

void BoardWriter::open_port() {
    try {
        t_ = port_.open();
    } catch (const Error& e) {
        if (!seen_ || e.code() != ErrorCode::Device)
            throw;
        throw Error(ErrorCode::Device,
                    fmt::format("the board vanished from {}: {}", port_.name, e.message()));
    }
    seen_ = true;
}

std::optional<std::string> BoardWriter::rom_uid(proto::SdpClient& sdp) {
    const device::FuseWord* low = job_.device->fuse("UUID0");
    const device::FuseWord* high = job_.device->fuse("UUID1");
    if (low == nullptr || high == nullptr || hab_closed_)
        return std::nullopt;
    try {
        const Bytes lo = sdp.read_register(low->shadow, 4);
        const Bytes hi = sdp.read_register(high->shadow, 4);
        if (lo.size() < 4 || hi.size() < 4)
            return std::nullopt;
        return fmt::format("{:08x}{:08x}", load_le32(hi.data()), load_le32(lo.data()));
    } catch (const Error&) {
        return std::nullopt;  // a ROM that does not show its fuses: the UID comes later
    }
}

void BoardWriter::expect_uid(const std::string& uid, const char* when) {
    if (!expected_uid_) {
        expected_uid_ = uid;
        return;
    }
    if (*expected_uid_ != uid) {
        throw Error(ErrorCode::Verification,
                    fmt::format("the board at {} changed {}: UID {} before, UID {} now (another "
                                "board plugged in?): stopped",
                                port_.name, when, *expected_uid_, uid));
    }
}

void BoardWriter::check_identity() {
    if (!expected_uid_ || !mb_)
        return;
    const device::FuseWord* low = job_.device->fuse("UUID0");
    const device::FuseWord* high = job_.device->fuse("UUID1");
    if (low == nullptr || high == nullptr)
        return;
    const std::uint32_t lo = mb_->efuse_read_once(low->index);
    expect_uid(fmt::format("{:08x}{:08x}", mb_->efuse_read_once(high->index), lo),
               "while it was being written");
}

bool BoardWriter::probe_rom() {
    proto::SdpClient sdp(*t_, kProbe);
    try {
        sdp.error_status();
    } catch (const Error&) {
        return false;
    }
    hab_closed_ = sdp.hab_closed();
    r_.hab_closed = hab_closed_;
    rom_identity_ = check_rom_identity();
    if (auto uid = rom_uid(sdp))
        expect_uid(*uid, "while it was being written");
    return true;
}

bool BoardWriter::probe_flashloader(std::chrono::milliseconds timeout) {
    proto::McuBootClient probe(*t_, timeout);
    try {
        if (t_->is_hid()) {
            probe.get_property(static_cast<std::uint8_t>(proto::mboot::Property::CurrentVersion));
        } else {
            probe.ping();
        }
    } catch (const Error&) {
        return false;
    }
    mb_ = std::make_unique<proto::McuBootClient>(*t_, o_.timeout);
    if (!r_.hab_closed) {
        // Connected to a running flashloader (a resumed board): it tells the security state.
        try {
            const auto v = mb_->get_property(
                static_cast<std::uint8_t>(proto::mboot::Property::FlashSecurityState));
            hab_closed_ = !v.empty() && v[0] != 0;
            r_.hab_closed = hab_closed_;
        } catch (const Error&) {
        }
    }
    return true;
}

void BoardWriter::connect() {
    mb_.reset();
    t_.reset();
    open_port();
    // The boot ROM first: the usual case. A running flashloader ignores SDP commands (over UART
    // they are line noise to it, over HID malformed reports).
    if (probe_rom()) {
        load_flashloader();
        check_identity();
        return;
    }
    if (probe_flashloader(kProbe)) {
        connect_detail_ = "flashloader already running";
        check_identity();
        return;
    }
    throw Error(ErrorCode::Device,
                fmt::format("{}: no answer from the boot ROM (SDP) or a flashloader (MCUBoot)",
                            t_->describe()));
}

void BoardWriter::load_flashloader() {
    const Flashloader& fl = choose_flashloader(job_, hab_closed_);
    proto::SdpClient sdp(*t_, o_.timeout);
    Progress progress(*this, fl.data.size());
    sdp.set_progress([&](std::uint64_t done, std::uint64_t) { progress.set(done); });
    sdp.write_file(fl.load_address, fl.data);
    try {
        sdp.jump_address(fl.ivt_address);
    } catch (Error& e) {
        // A refusal is the ROM's answer, not a link hiccup: trying again cannot change it.
        if (e.code() == ErrorCode::Verification && hab_closed_) {
            e.with_context(fmt::format(
                "the closed part rejected the package's signed flashloader {}: it is most "
                "likely fused with another SRK hash (other signing keys) than this package's",
                fl.name));
        }
        throw;
    }
    wait_for_flashloader();
    connect_detail_ = fmt::format("{}; HAB {}: {} ({} bytes{}) loaded at 0x{:08X}, started at "
                                  "0x{:08X}",
                                  rom_identity_, hab_closed_ ? "closed" : "open", fl.name,
                                  fl.data.size(), fl.is_signed ? ", signed" : "", fl.load_address,
                                  fl.ivt_address);
}

void BoardWriter::wait_for_flashloader() {
    // Over USB the flashloader is another device (15A2:0073 instead of the ROM's 1FC9:01xx):
    // the ROM's link is gone at once (one look at it is enough), and the board is found again
    // at the same port. A UART stays the same link.
    if (t_->is_hid()) {
        if (probe_flashloader(100ms))
            return;
    } else {
        const auto until = Clock::now() + kLoaderStart;
        while (Clock::now() < until) {
            if (probe_flashloader(100ms))
                return;
        }
    }
    const auto give_up = Clock::now() + kReenumerate;
    while (Clock::now() < give_up) {
        check_stop();
        try {
            t_.reset();
            t_ = port_.open();
            if (probe_flashloader(kProbe))
                return;
        } catch (const Error&) {
            std::this_thread::sleep_for(100ms);
        }
    }
    throw Error(
        ErrorCode::Device,
        fmt::format("the board did not come back as the flashloader at {} within {} s of "
                    "the jump: it vanished, or enumerated at another port",
                    port_.name,
                    std::chrono::duration_cast<std::chrono::seconds>(kReenumerate).count()));
}

void BoardWriter::run_step(std::size_t index, std::string op,
                           const std::function<StepDone()>& body) {
    step_index_ = index;
    step_op_ = std::move(op);
    check_stop();
    emit(event(EventKind::StepStart));
    const auto t0 = Clock::now();
    StepRecord rec{index, step_op_, "ok", 0, ""};
    try {
        const StepDone done = with_context(step_op_, body);
        rec.status = done.skipped ? "skipped" : "ok";
        rec.detail = done.detail;
    } catch (const Error& e) {
        rec.status = "failed";
        rec.detail = e.message();
        rec.seconds = seconds_since(t0);
        r_.steps.push_back(rec);
        r_.error_step = step_op_;
        Event end = event(EventKind::StepEnd);
        end.status = rec.status;
        end.seconds = rec.seconds;
        end.message = rec.detail;
        emit(end);
        throw;
    }
    rec.seconds = seconds_since(t0);
    r_.steps.push_back(rec);
    Event end = event(EventKind::StepEnd);
    end.status = rec.status;
    end.seconds = rec.seconds;
    end.message = rec.detail;
    emit(end);
}

void BoardWriter::finish(Outcome outcome) {
    r_.outcome = outcome;
    r_.seconds = seconds_since(start_);
    if (outcome == Outcome::Failed || outcome == Outcome::Interrupted) {
        for (auto& f : r_.fuses) {
            if (f.status == FuseStatus::Planned)
                f.status = FuseStatus::NotAttempted;
        }
    }
    mb_.reset();
    t_.reset();
    Event e = event(EventKind::Result);
    emit(e);
}

Outcome BoardWriter::written_outcome() const {
    const bool unburned = std::any_of(r_.fuses.begin(), r_.fuses.end(), [](const FuseRow& f) {
        return f.status == FuseStatus::Skipped;
    });
    return unburned && !o_.no_fuses ? Outcome::PassedUnfused : Outcome::Passed;
}

BoardResult BoardWriter::run() {
    const pkg::Manifest& m = job_.package.manifest;
    r_.board = port_.name;
    r_.device = m.device;
    r_.package_sha256 = job_.package_sha256;
    r_.trust = job_.trust;
    r_.started_at = utc_now();
    for (const pkg::ImageEntry& img : m.images) {
        ImageRecord rec{img.file, "", img.memory_id, img.address, 0};
        for (const pkg::FileEntry& f : m.files) {
            if (f.path == img.file) {
                rec.sha256 = f.sha256;
                rec.size = f.size;
            }
        }
        r_.images.push_back(rec);
    }
    emit(event(EventKind::Start));
    compare_ = o_.skip_unchanged;
    try {
        // The job checked its own options; these are the board's (the same with `rtprov write`).
        r_.trust = trust_for(job_.package, o_);
        bool fuses_read = false;
        bool closed = !o_.close;
        const auto read_fuses_once = [&](std::size_t index) {
            if (fuses_read)
                return;
            fuses_read = true;
            run_step(index, "read-fuses", [&] { return read_fuses(); });
        };
        for (std::size_t i = 0; i < m.write_plan.size(); ++i) {
            const pkg::WriteStep& s = m.write_plan[i];
            const std::string op(pkg::step_op_name(s.op));
            if (s.op == pkg::StepOp::LoadFlashloader) {
                run_step(i, op, [&] {
                    retry("connect", [&] { mb(); });
                    return StepDone{connect_detail_};
                });
                continue;
            }
            // Nothing changes on the board before its fuse plan has been read and checked.
            read_fuses_once(i);
            if (o_.dry_run) {
                finish(Outcome::DryRun);
                return r_;
            }
            // Closing comes after the SRK fuses are burned and verified, before the locks.
            if (!closed && (s.op == pkg::StepOp::LockFuses || s.op == pkg::StepOp::Reset)) {
                closed = true;
                run_step(i, "close", [&] { return close_part(); });
            }
            run_step(i, op, [&] {
                switch (s.op) {
                    case pkg::StepOp::ConfigureMemory:
                        return configure(s);
                    case pkg::StepOp::Erase:
                        return erase(s);
                    case pkg::StepOp::Write:
                        return write(s);
                    case pkg::StepOp::Verify:
                        return verify(s);
                    case pkg::StepOp::ProgramFuses:
                        return program_fuses(s);
                    case pkg::StepOp::LockFuses:
                        return lock_fuses(s);
                    case pkg::StepOp::Reset: {
                        StepDone done = reset();
                        const StepDone booted = boot_check();
                        done.detail += (done.detail.empty() ? "" : "; ") + booted.detail;
                        return done;
                    }
                    case pkg::StepOp::PerBoardData:
                        return board_value(s);
                    case pkg::StepOp::KeyBlob:
                        return key_blob(s);
                    case pkg::StepOp::LoadFlashloader:
                        break;
                }
                return StepDone{};
            });
        }
        read_fuses_once(m.write_plan.size());
        if (o_.dry_run) {
            finish(Outcome::DryRun);
            return r_;
        }
        if (!closed)
            run_step(m.write_plan.size(), "close", [&] { return close_part(); });
        r_.fuses_waived = o_.no_fuses;
        finish(written_outcome());
    } catch (const Refused& e) {
        r_.error_code = e.code();
        r_.error = e.what();
        finish(Outcome::Refused);
    } catch (const Interrupted& e) {
        r_.error_code = e.code();
        r_.error = e.what();
        finish(Outcome::Interrupted);
    } catch (const Error& e) {
        r_.error_code = e.code();
        r_.error = e.what();
        finish(Outcome::Failed);
    } catch (const std::exception& e) {
        r_.error_code = ErrorCode::Internal;
        r_.error = e.what();
        finish(Outcome::Failed);
    }
    return r_;
}

}  // namespace detail

BoardResult write_board(const Job& job, const WriteOptions& options, const Port& port,
                        const EventSink& sink, const std::atomic<bool>* stop) {
    detail::BoardWriter w(job, options, port, sink, stop);
    return w.run();
}

int exit_code_of(const std::vector<BoardResult>& results) {
    // The most serious failure decides: a failed check before a link problem before the rest.
    constexpr ErrorCode kOrder[] = {ErrorCode::Verification, ErrorCode::Device,
                                    ErrorCode::Io,           ErrorCode::BadInput,
                                    ErrorCode::Usage,        ErrorCode::Internal};
    std::optional<std::size_t> worst;
    bool unfused = false;
    for (const auto& r : results) {
        if (r.outcome == Outcome::PassedUnfused)
            unfused = true;
        if (r.outcome == Outcome::Passed || r.outcome == Outcome::DryRun ||
            r.outcome == Outcome::PassedUnfused)
            continue;
        const ErrorCode code = r.error_code.value_or(ErrorCode::Device);
        const auto rank = static_cast<std::size_t>(
            std::find(std::begin(kOrder), std::end(kOrder), code) - std::begin(kOrder));
        worst = std::min(worst.value_or(rank), rank);
    }
    if (!worst)
        return unfused ? kExitPassedUnfused : 0;
    return exit_code(kOrder[std::min(*worst, std::size(kOrder) - 1)]);
}

}  // namespace rtprov::write
