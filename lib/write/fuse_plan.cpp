#include "rtprov/write/fuse_plan.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "rtprov/hab/srk.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::write {

namespace {

constexpr std::string_view kCloseField = "SEC_CONFIG[1]";
constexpr std::string_view kBootCfgLock = "BOOT_CFG_LOCK";

const device::FuseWord& word_of(const device::Device& dev, std::string_view name) {
    const device::FuseWord* w = dev.fuse(name);
    if (w == nullptr) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("the write plan names fuse word '{}', which {} does not have", name,
                                dev.name));
    }
    return *w;
}

const device::FuseField& field_of(const device::Device& dev, std::string_view name) {
    const device::FuseField* f = dev.fuse_field(name);
    if (f == nullptr) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("the write plan names fuse field '{}', which {} does not have",
                                name, dev.name));
    }
    return *f;
}

// The board's words, each read once.
class Cache {
  public:
    explicit Cache(const FuseReader& read) : read_(read) {}
    std::uint32_t operator()(std::uint32_t index) {
        auto it = values_.find(index);
        if (it == values_.end())
            it = values_.emplace(index, read_(index)).first;
        return it->second;
    }

  private:
    const FuseReader& read_;
    std::map<std::uint32_t, std::uint32_t> values_;
};

FuseRow make_row(std::string word, std::uint32_t index, std::uint32_t current, std::uint32_t target,
                 std::string purpose) {
    FuseRow row;
    row.word = std::move(word);
    row.index = index;
    row.current = current;
    row.target = target;
    row.purpose = std::move(purpose);
    return row;
}

bool field_set(const device::Device& dev, Cache& read, std::string_view field) {
    const device::FuseField* f = dev.fuse_field(field);
    if (f == nullptr || f->word.empty())
        return false;
    return (read(word_of(dev, f->word).index) & field_bit(*f)) != 0;
}

// Unchanged, Skipped (no flag), Conflict or Planned: in that order of precedence.
FuseStatus status_for(std::uint32_t current, std::uint32_t target, bool allowed, bool locked) {
    if (current == target)
        return FuseStatus::Unchanged;
    if (!allowed)
        return FuseStatus::Skipped;
    if ((current & ~target) != 0 || locked)
        return FuseStatus::Conflict;
    return FuseStatus::Planned;
}

std::string srk_hash_of(const std::vector<FuseRow>& rows, bool targets) {
    hab::SrkFuseWords words{};
    for (const auto& r : rows) {
        if (r.purpose == "srk" && r.word.size() == 4 && r.word[3] >= '0' && r.word[3] <= '7')
            words[static_cast<std::size_t>(r.word[3] - '0')] = targets ? r.target : r.current;
    }
    return hab::hash_hex(hab::srk_hash_from_words(words));
}

}  // namespace

std::uint32_t field_bit(const device::FuseField& field) {
    return 1u << field.shift;
}

std::vector<FuseRow> plan_fuses(const Job& job, const WriteOptions& options,
                                const FuseReader& read) {
    const device::Device& dev = *job.device;
    const pkg::Manifest& m = job.package.manifest;
    Cache cache(read);
    std::vector<FuseRow> rows;
    for (const pkg::WriteStep& step : m.write_plan) {
        if (step.op != pkg::StepOp::ProgramFuses)
            continue;
        for (const std::string& name : step.words) {
            const auto plan = std::find_if(m.fuses.begin(), m.fuses.end(),
                                           [&](const auto& f) { return f.word == name; });
            if (plan == m.fuses.end()) {
                throw Error(
                    ErrorCode::BadInput,
                    fmt::format("the write plan burns '{}', which fuses[] does not list", name));
            }
            word_of(dev, name);
            FuseRow row = make_row(name, plan->index, cache(plan->index), plan->value,
                                   name.starts_with("SRK") ? "srk" : "fuse");
            const bool locked =
                !plan->lock_field.empty() && field_set(dev, cache, plan->lock_field);
            row.status = status_for(row.current, row.target, options.burn_srk, locked);
            rows.push_back(row);
        }
    }
    if (options.close) {
        const device::FuseField& f = field_of(dev, kCloseField);
        const device::FuseWord& w = word_of(dev, f.word);
        FuseRow row = make_row(std::string(w.name), w.index, cache(w.index), 0, "close");
        row.target = row.current | field_bit(f);
        row.status = status_for(row.current, row.target, true, field_set(dev, cache, kBootCfgLock));
        rows.push_back(row);
    }
    for (const pkg::WriteStep& step : m.write_plan) {
        if (step.op != pkg::StepOp::LockFuses)
            continue;
        const device::FuseField& f = field_of(dev, step.field);
        const device::FuseWord& w = word_of(dev, f.word);
        // Several lock fields in one word: each row builds on the one before.
        std::uint32_t current = cache(w.index);
        for (const auto& r : rows) {
            if (r.index == w.index)
                current = r.target;
        }
        FuseRow row = make_row(std::string(w.name), w.index, cache(w.index), current | field_bit(f),
                               "lock " + step.field);
        row.status = status_for(current, row.target, options.burn_srk, false);
        rows.push_back(row);
    }
    return rows;
}

std::vector<FuseRow> plan_data_fuses(const Job& job, const WriteOptions& options,
                                     const pkg::BoardData& data,
                                     const std::vector<std::uint32_t>& words,
                                     const FuseReader& read) {
    std::vector<FuseRow> rows;
    for (std::size_t i = 0; i < data.fuses.size() && i < words.size(); ++i) {
        const device::FuseWord& w = word_of(*job.device, data.fuses[i]);
        FuseRow row =
            make_row(std::string(w.name), w.index, read(w.index), words[i], "data " + data.name);
        row.status = status_for(row.current, row.target, options.burn_data_fuses, false);
        rows.push_back(row);
    }
    return rows;
}

std::vector<FuseRow> plan_unassigned_data_fuses(const Job& job, const WriteOptions& options,
                                                const pkg::BoardData& data,
                                                const FuseReader& read) {
    std::vector<FuseRow> rows;
    for (const std::string& name : data.fuses) {
        const device::FuseWord& w = word_of(*job.device, name);
        FuseRow row = make_row(std::string(w.name), w.index, read(w.index), 0, "data " + data.name);
        row.status = options.burn_data_fuses ? FuseStatus::Assigned : FuseStatus::Skipped;
        rows.push_back(row);
    }
    return rows;
}

std::optional<std::string> fuse_refusal(const std::vector<FuseRow>& rows, const Job& job,
                                        const WriteOptions& options) {
    const std::string closing = options.close ? "closing refused: " : "";
    for (const auto& r : rows) {
        if (r.status != FuseStatus::Conflict)
            continue;
        if (r.purpose == "close") {
            return fmt::format("{} is locked ({}): the part cannot be closed", r.word,
                               kBootCfgLock);
        }
        if ((r.current & ~r.target) != 0) {
            return fmt::format(
                "{}{} (index 0x{:02X}) holds 0x{:08x}, which has bits 0x{:08x} lacks: refusing to "
                "burn any fuse",
                closing, r.word, r.index, r.current, r.target);
        }
        return fmt::format(
            "{}{} (index 0x{:02X}) is write-locked and holds 0x{:08x}, not 0x{:08x}: refusing to "
            "burn any fuse",
            closing, r.word, r.index, r.current, r.target);
    }
    if (options.close) {
        const bool srk_rows = std::any_of(rows.begin(), rows.end(),
                                          [](const FuseRow& r) { return r.purpose == "srk"; });
        const bool srk_skipped = std::any_of(rows.begin(), rows.end(), [](const FuseRow& r) {
            return r.purpose == "srk" && r.status == FuseStatus::Skipped;
        });
        if (!srk_rows || !job.srk_hash) {
            return "closing refused: the write plan burns no SRK hash, so nothing says which "
                   "keys a closed part would accept";
        }
        if (srk_skipped) {
            return fmt::format(
                "closing refused: the SRK fuses hold {}, not the hash the package's image is "
                "signed for ({}); give --burn-srk to burn it",
                srk_hash_of(rows, false), srk_hash_of(rows, true));
        }
    }
    return std::nullopt;
}

std::string describe_row(const FuseRow& row) {
    if (row.status == FuseStatus::Assigned) {
        return fmt::format("{} 0x{:08x} -> assigned at write time ({})", row.word, row.current,
                           fuse_status_name(row.status));
    }
    return fmt::format("{} 0x{:08x} -> 0x{:08x} ({})", row.word, row.current, row.target,
                       fuse_status_name(row.status));
}

}  // namespace rtprov::write
