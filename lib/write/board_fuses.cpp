// The fuse steps of a board: read the plan's words (and the UID), burn them one by one with a
// readback after each, close the part, lock last. Fuses are irreversible: every refusal comes
// before the first burn, and a set that stops half way says exactly which words landed.

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "board_writer.hpp"
#include "rtprov/hab/srk.hpp"
#include "rtprov/write/fuse_plan.hpp"

namespace rtprov::write::detail {

namespace {

std::string names_with(const std::vector<FuseRow>& rows, FuseStatus status) {
    std::string out;
    for (const auto& r : rows) {
        if (r.status == status)
            out += (out.empty() ? "" : ", ") + r.word;
    }
    return out.empty() ? "none" : out;
}

std::size_t count_with(const std::vector<FuseRow>& rows, FuseStatus status) {
    return static_cast<std::size_t>(std::count_if(
        rows.begin(), rows.end(), [&](const FuseRow& r) { return r.status == status; }));
}

}  // namespace

std::uint32_t BoardWriter::read_fuse(std::uint32_t index) {
    return retry(fmt::format("efuse-read-once 0x{:02X}", index),
                 [&] { return mb().efuse_read_once(index); });
}

StepDone BoardWriter::read_fuses() {
    const device::Device& dev = *job_.device;
    const device::FuseWord* uid0 = dev.fuse("UUID0");
    const device::FuseWord* uid1 = dev.fuse("UUID1");
    if (uid0 != nullptr && uid1 != nullptr) {
        const std::uint32_t low = read_fuse(uid0->index);
        const std::string uid = fmt::format("{:08x}{:08x}", read_fuse(uid1->index), low);
        expect_uid(uid, "when the flashloader started");
        r_.uid = uid;
        if (o_.was_interrupted && o_.was_interrupted(*r_.uid)) {
            r_.resumed = true;
            compare_ = true;
            warn(
                fmt::format("board {} was interrupted before (see the log): resuming, only "
                            "sectors that differ are written",
                            *r_.uid));
        }
    }
    admit_board();
    const FuseReader read = [&](std::uint32_t index) { return read_fuse(index); };
    r_.fuses = plan_fuses(job_, o_, read);
    prepare_values(read);
    emit(event(EventKind::FusePlan));
    if (auto why = fuse_refusal(r_.fuses, job_, o_))
        throw Error(ErrorCode::Verification, *why);
    const std::size_t skipped = count_with(r_.fuses, FuseStatus::Skipped);
    // Package words need --burn-srk, per-board words --burn-data-fuses: one warning per flag.
    for (const bool data : {false, true}) {
        std::vector<FuseRow> rows;
        std::copy_if(r_.fuses.begin(), r_.fuses.end(), std::back_inserter(rows),
                     [&](const FuseRow& r) { return r.purpose.starts_with("data ") == data; });
        const std::size_t n = count_with(rows, FuseStatus::Skipped);
        if (n > 0) {
            warn(fmt::format("{} fuse word{} not burned ({}): {} not given", n, n == 1 ? "" : "s",
                             names_with(rows, FuseStatus::Skipped),
                             data ? "--burn-data-fuses" : "--burn-srk"));
        }
    }
    // A dry run's per-board words are burned too (with their board's value): counted so.
    const std::size_t assigned = count_with(r_.fuses, FuseStatus::Assigned);
    return {fmt::format("UID {}; {} fuse words: {} to burn{}, {} unchanged, {} skipped",
                        r_.uid.value_or("unknown"), r_.fuses.size(),
                        count_with(r_.fuses, FuseStatus::Planned) + assigned,
                        assigned > 0 ? fmt::format(" ({} assigned at write time)", assigned) : "",
                        count_with(r_.fuses, FuseStatus::Unchanged), skipped)};
}

void BoardWriter::fuse_failure(const FuseRow& failed, ErrorCode code, const std::string& why) {
    for (auto& r : r_.fuses) {
        if (r.status == FuseStatus::Planned)
            r.status = FuseStatus::NotAttempted;
    }
    emit(event(EventKind::FusePlan));
    throw Error(code, fmt::format("{} (index 0x{:02X}): {}; fuses burned in this run: {}; "
                                  "failed: {}; unconfirmed: {}; not attempted: {}",
                                  failed.word, failed.index, why,
                                  names_with(r_.fuses, FuseStatus::Programmed),
                                  names_with(r_.fuses, FuseStatus::Failed),
                                  names_with(r_.fuses, FuseStatus::Unconfirmed),
                                  names_with(r_.fuses, FuseStatus::NotAttempted)));
}

void BoardWriter::burn(FuseRow& row) {
    const std::uint32_t bits = row.target & ~row.current;
    for (unsigned attempt = 1;; ++attempt) {
        check_stop();
        std::string why;
        bool link_lost = false;
        try {
            mb().efuse_program_once(row.index, bits);
        } catch (const proto::McuBootStatusError& e) {
            why = e.what();
        } catch (const Error& e) {
            if (e.code() != ErrorCode::Device)
                throw;
            why = e.what();
            link_lost = true;
            broken_ = true;
        }
        // Whatever the answer was, the word itself tells what landed.
        std::optional<std::uint32_t> back;
        try {
            back = read_fuse(row.index);
        } catch (const Interrupted&) {
            throw;
        } catch (const Error& e) {
            why += (why.empty() ? "" : "; ") + std::string("read back: ") + e.what();
        }
        row.read_back = back;
        if (back && *back == row.target) {
            row.status = FuseStatus::Programmed;
            return;
        }
        if (!back) {
            row.status = FuseStatus::Unconfirmed;
            fuse_failure(row, ErrorCode::Device,
                         fmt::format("program 0x{:08x} sent, but the word could not be read back "
                                     "({})",
                                     bits, why));
        }
        if (link_lost && *back == row.current && attempt <= o_.retries) {
            backoff(attempt, fmt::format("efuse-program-once 0x{:02X}: {}", row.index, why));
            continue;  // the command never arrived: nothing burned, send it again
        }
        row.status = FuseStatus::Failed;
        fuse_failure(row, why.empty() ? ErrorCode::Verification : ErrorCode::Device,
                     fmt::format("reads back 0x{:08x} after programming 0x{:08x}{}", *back, bits,
                                 why.empty() ? "" : " (" + why + ")"));
    }
}

StepDone BoardWriter::program_fuses(const pkg::WriteStep& s) {
    std::vector<FuseRow*> rows;
    for (auto& r : r_.fuses) {
        if ((r.purpose == "srk" || r.purpose == "fuse") &&
            std::find(s.words.begin(), s.words.end(), r.word) != s.words.end())
            rows.push_back(&r);
    }
    const auto unchanged =
        static_cast<std::size_t>(std::count_if(rows.begin(), rows.end(), [](const FuseRow* r) {
            return r->status == FuseStatus::Unchanged;
        }));
    if (!o_.burn_srk) {
        return {fmt::format("{} words not burned (--burn-srk not given), {} already hold their "
                            "values",
                            rows.size() - unchanged, unchanged),
                true};
    }
    for (FuseRow* r : rows) {
        if (r->status == FuseStatus::Planned)
            burn(*r);
    }
    // Verify the set as a whole once every word is in.
    for (FuseRow* r : rows) {
        const std::uint32_t back = read_fuse(r->index);
        if (back != r->target) {
            r->read_back = back;
            r->status = FuseStatus::Failed;
            fuse_failure(*r, ErrorCode::Verification,
                         fmt::format("reads back 0x{:08x}, expected 0x{:08x}", back, r->target));
        }
        r->read_back = back;
    }
    emit(event(EventKind::FusePlan));
    return {fmt::format("{} words burned, {} already held their values; all read back equal",
                        rows.size() - unchanged, unchanged)};
}

StepDone BoardWriter::close_part() {
    auto row = std::find_if(r_.fuses.begin(), r_.fuses.end(),
                            [](const FuseRow& r) { return r.purpose == "close"; });
    if (row == r_.fuses.end())
        throw Error(ErrorCode::Internal, "no close row in the fuse plan");
    if (row->status == FuseStatus::Unchanged)
        return {"already closed (SEC_CONFIG[1] set)", true};
    // The part may only be closed once its SRK fuses hold the hash the image is signed for.
    const device::Device& dev = *job_.device;
    hab::SrkFuseWords words{};
    for (std::size_t i = 0; i < words.size(); ++i) {
        const device::FuseWord* w = dev.fuse(fmt::format("SRK{}", i));
        if (w == nullptr)
            throw Error(ErrorCode::Internal, fmt::format("{} has no SRK{}", dev.name, i));
        words[i] = read_fuse(w->index);
    }
    const hab::SrkHash burned = hab::srk_hash_from_words(words);
    if (!job_.srk_hash || burned != *job_.srk_hash) {
        fuse_failure(*row, ErrorCode::Verification,
                     fmt::format("closing refused: the SRK fuses read back {}, not the hash the "
                                 "package's image is signed for ({})",
                                 hab::hash_hex(burned),
                                 job_.srk_hash ? hab::hash_hex(*job_.srk_hash) : "none"));
    }
    // ... and only once what is on the part now verifies against those fuses.
    const std::string checked = check_boot_images(*row, burned);
    burn(*row);
    emit(event(EventKind::FusePlan));
    return {
        fmt::format("the boot image read back from the part ({}) verifies against its SRK "
                    "fuses; SEC_CONFIG[1] burned: the part boots only images signed for its "
                    "SRK hash",
                    checked)};
}

StepDone BoardWriter::lock_fuses(const pkg::WriteStep& s) {
    auto row = std::find_if(r_.fuses.begin(), r_.fuses.end(),
                            [&](const FuseRow& r) { return r.purpose == "lock " + s.field; });
    if (row == r_.fuses.end())
        throw Error(ErrorCode::Internal, fmt::format("no row for lock field {}", s.field));
    if (!o_.burn_srk)
        return {fmt::format("{} not burned (--burn-srk not given)", s.field), true};
    if (row->status == FuseStatus::Unchanged)
        return {fmt::format("{} already set", s.field), true};
    // Lock a group only once every word of it reads back right: a lock cannot be undone.
    for (const pkg::FuseWordPlan& w : job_.package.manifest.fuses) {
        if (w.lock_field != s.field)
            continue;
        const std::uint32_t back = read_fuse(w.index);
        if (back != w.value) {
            fuse_failure(*row, ErrorCode::Verification,
                         fmt::format("{} not burned: {} reads back 0x{:08x}, expected 0x{:08x}",
                                     s.field, w.word, back, w.value));
        }
    }
    burn(*row);
    emit(event(EventKind::FusePlan));
    return {fmt::format("{} burned", s.field)};
}

}  // namespace rtprov::write::detail
