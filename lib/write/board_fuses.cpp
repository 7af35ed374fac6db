// The fuse steps of a board: read the plan's words (and the UID), burn them one by one with a
// readback after each, close the part, lock last. Fuses are irreversible: every refusal comes
// before the first burn, and a set that stops half way says exactly which words landed.

#include <algorithm>
#include <iterator>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "board_writer.hpp"
#include "rtprov/hab/srk.hpp"
#include "rtprov/pkg/validate.hpp"
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

const pkg::FuseWordPlan* plan_of(const Job& job, const std::string& word) {
    for (const auto& f : job.package.manifest.fuses)
        if (f.word == word)
            return &f;
    return nullptr;
}

// A word's value as the log may show it: never a secret word's.
std::string shown(const FuseRow& row, std::uint32_t value) {
    return fuse_value_text(row, value);
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
    // Package words need --burn-srk, encryption words --burn-encryption, per-board words
    // --burn-data-fuses: one warning per flag.
    for (const std::string_view flag : {"--burn-srk", "--burn-encryption", "--burn-data-fuses"}) {
        std::vector<FuseRow> rows;
        std::copy_if(r_.fuses.begin(), r_.fuses.end(), std::back_inserter(rows),
                     [&](const FuseRow& r) { return flag_for(r) == flag; });
        const std::size_t n = count_with(rows, FuseStatus::Skipped);
        if (n > 0) {
            warn(fmt::format("{} fuse word{} not burned ({}): {} not given", n, n == 1 ? "" : "s",
                             names_with(rows, FuseStatus::Skipped), flag));
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

std::uint32_t BoardWriter::fuse_target(const FuseRow& row) const {
    if (row.secret.empty())
        return row.target;
    const pkg::FuseWordPlan* plan = plan_of(job_, row.word);
    const auto value = plan ? planned_value(job_, *plan) : std::nullopt;
    if (!value) {
        throw Error(ErrorCode::Usage,
                    fmt::format("{}: the package's secret '{}' is not open", row.word, row.secret));
    }
    return *value;
}

void BoardWriter::burn(FuseRow& row) {
    // A secret word's row holds no value: the key comes from the job, what the word holds now
    // from the part, and neither goes into the row or a message.
    const bool secret = !row.secret.empty();
    const std::uint32_t target = fuse_target(row);
    const std::uint32_t current = secret ? read_fuse(row.index) : row.current;
    const std::uint32_t bits = target & row.mask & ~current;
    const auto landed = [&](std::uint32_t back) { return (back & row.mask) == (target & row.mask); };
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
        if (!secret)
            row.read_back = back;
        if (back && landed(*back)) {
            row.status = FuseStatus::Programmed;
            return;
        }
        if (!back) {
            row.status = FuseStatus::Unconfirmed;
            fuse_failure(row, ErrorCode::Device,
                         fmt::format("program {} sent, but the word could not be read back "
                                     "({})",
                                     shown(row, bits), why));
        }
        if (link_lost && *back == current && attempt <= o_.retries) {
            backoff(attempt, fmt::format("efuse-program-once 0x{:02X}: {}", row.index, why));
            continue;  // the command never arrived: nothing burned, send it again
        }
        row.status = FuseStatus::Failed;
        fuse_failure(row, why.empty() ? ErrorCode::Verification : ErrorCode::Device,
                     fmt::format("reads back {} after programming {}{}", shown(row, *back),
                                 shown(row, bits), why.empty() ? "" : " (" + why + ")"));
    }
}

StepDone BoardWriter::program_fuses(const pkg::WriteStep& s) {
    std::vector<FuseRow*> rows;
    for (auto& r : r_.fuses) {
        if ((r.purpose == "srk" || r.purpose == "fuse" || r.purpose == "encryption") &&
            std::find(s.words.begin(), s.words.end(), r.word) != s.words.end())
            rows.push_back(&r);
    }
    const auto count = [&](FuseStatus status) {
        return static_cast<std::size_t>(std::count_if(
            rows.begin(), rows.end(), [&](const FuseRow* r) { return r->status == status; }));
    };
    const std::size_t unchanged = count(FuseStatus::Unchanged);
    const std::size_t skipped = count(FuseStatus::Skipped);
    std::vector<std::string> flags;  // of the skipped words
    for (const FuseRow* r : rows) {
        const std::string flag(flag_for(*r));
        if (r->status == FuseStatus::Skipped &&
            std::find(flags.begin(), flags.end(), flag) == flags.end())
            flags.push_back(flag);
    }
    const std::string not_given =
        skipped == 0 ? ""
                     : fmt::format("; {} not burned ({} not given)", skipped, fmt::join(flags, ", "));
    if (skipped == rows.size() - unchanged) {
        return {fmt::format("{} words not burned ({} not given), {} already hold their values",
                            skipped, fmt::join(flags, ", "), unchanged),
                true};
    }
    for (FuseRow* r : rows) {
        if (r->status == FuseStatus::Planned)
            burn(*r);
    }
    // Verify the set as a whole once every word is in (only the bits each row owns).
    for (FuseRow* r : rows) {
        if (r->status == FuseStatus::Skipped)
            continue;
        const std::uint32_t target = fuse_target(*r);
        const std::uint32_t back = read_fuse(r->index);
        if (r->secret.empty())
            r->read_back = back;
        if ((back & r->mask) != (target & r->mask)) {
            r->status = FuseStatus::Failed;
            fuse_failure(*r, ErrorCode::Verification,
                         fmt::format("reads back {}, expected {}{}", shown(*r, back),
                                     shown(*r, target),
                                     r->mask == pkg::kWholeWord
                                         ? ""
                                         : fmt::format(" in bits 0x{:08x}", r->mask)));
        }
    }
    emit(event(EventKind::FusePlan));
    return {fmt::format("{} words burned, {} already held their values; all read back equal{}",
                        rows.size() - unchanged - skipped, unchanged, not_given)};
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
    if (!burn_allowed(*row, o_))
        return {fmt::format("{} not burned ({} not given)", s.field, flag_for(*row)), true};
    if (row->status == FuseStatus::Unchanged)
        return {fmt::format("{} already set", s.field), true};
    // A read lock guards the words of its write lock (SW_GP2_RLOCK: SW_GP2_LOCK's).
    std::string group = s.field;
    for (const pkg::FeatureFuses& f : pkg::feature_fuses()) {
        if (f.read_lock_field == s.field)
            group = std::string(f.lock_field);
    }
    // Lock a group only once every word of it reads back right: a lock cannot be undone, and
    // after a read lock the words read back as 0 and can never be compared again.
    std::size_t checked = 0;
    for (const pkg::FuseWordPlan& w : job_.package.manifest.fuses) {
        if (w.lock_field != group)
            continue;
        const auto value = planned_value(job_, w);
        const std::uint32_t back = read_fuse(w.index);
        if (!value || (back & w.mask) != (*value & w.mask)) {
            FuseRow shown_row;
            shown_row.secret = w.secret;
            fuse_failure(*row, ErrorCode::Verification,
                         fmt::format("{} not burned: {} reads back {}, expected {}", s.field,
                                     w.word, shown(shown_row, back),
                                     shown(shown_row, value.value_or(0))));
        }
        ++checked;
    }
    burn(*row);
    emit(event(EventKind::FusePlan));
    if (group != s.field) {
        return {fmt::format("{} burned after {} words locked by {} read back right; they read "
                            "back as 0 from now on",
                            s.field, checked, group)};
    }
    return {fmt::format("{} burned", s.field)};
}

}  // namespace rtprov::write::detail
