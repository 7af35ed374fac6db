#include "rtprov/write/fuse_plan.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "rtprov/hab/srk.hpp"
#include "rtprov/pkg/validate.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::write {

namespace {

constexpr std::string_view kCloseField = "SEC_CONFIG[1]";
constexpr std::string_view kBootCfgLock = "BOOT_CFG_LOCK";

// Words a lock field guards whatever the plan says (the lock the part has, not the package's).
struct Guard {
    std::string_view prefix;
    std::string_view write_lock;
    std::string_view read_lock;  // the word then reads back as 0: it cannot be compared
};
constexpr Guard kGuards[] = {
    {"BOOT_CFG", "BOOT_CFG_LOCK", ""},
    {"SW_GP2", "SW_GP2_LOCK", "SW_GP2_RLOCK"},
    {"OTFAD", "MAC_ADDR_LOCK", ""},  // RT1010: OTFAD_CFG, OTFAD_KEY_SCRAMBLE (0x620..0x640)
};

const Guard* guard_of(std::string_view word) {
    for (const Guard& g : kGuards)
        if (word.starts_with(g.prefix))
            return &g;
    return nullptr;
}

// The encryption features (BEE, OTFAD) burn their words with --burn-encryption.
bool encryption_feature(std::string_view feature) {
    return feature.starts_with("bee-") || feature.starts_with("otfad-");
}

std::string purpose_of(const pkg::Manifest& m, std::string_view word) {
    if (word.starts_with("SRK"))
        return "srk";
    for (const pkg::FeatureFuses& f : pkg::feature_fuses()) {
        const bool required = std::any_of(m.required.begin(), m.required.end(),
                                          [&](const auto& r) { return r.name == f.feature; });
        if (required && encryption_feature(f.feature) &&
            std::find(f.words.begin(), f.words.end(), word) != f.words.end())
            return "encryption";
    }
    return "fuse";
}

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
    if (field.empty())
        return false;
    const device::FuseField* f = dev.fuse_field(field);
    if (f == nullptr || f->word.empty())
        return false;
    return (read(word_of(dev, f->word).index) & field_bit(*f)) != 0;
}

// Unchanged, Skipped (no flag), Conflict or Planned: in that order of precedence. Only the bits
// of `mask` count.
FuseStatus status_for(std::uint32_t current, std::uint32_t target, bool allowed, bool locked,
                      std::uint32_t mask = pkg::kWholeWord) {
    if ((current & mask) == (target & mask))
        return FuseStatus::Unchanged;
    if (!allowed)
        return FuseStatus::Skipped;
    if ((current & mask & ~target) != 0 || locked)
        return FuseStatus::Conflict;
    return FuseStatus::Planned;
}

// The row of one fuses[] word: its owned bits (mask) over what the word holds now; a secret
// word's values stay out of the row.
FuseRow plan_row(const Job& job, const WriteOptions& options, const pkg::FuseWordPlan& plan,
                 Cache& cache) {
    const device::Device& dev = *job.device;
    const std::uint32_t now = cache(plan.index);
    FuseRow row = make_row(plan.word, plan.index, now, 0, purpose_of(job.package.manifest, plan.word));
    row.mask = plan.mask;
    row.secret = plan.secret;
    const Guard* guard = guard_of(plan.word);
    const bool locked = field_set(dev, cache, plan.lock_field) ||
                        (guard != nullptr && field_set(dev, cache, guard->write_lock));
    const bool hidden = guard != nullptr && field_set(dev, cache, guard->read_lock);
    const bool allowed = burn_allowed(row, options);
    const std::optional<std::uint32_t> value = planned_value(job, plan);
    if (!value) {
        // A dry run without the station's key: the word gets the package's secret.
        if (!options.dry_run) {
            throw Error(ErrorCode::Usage,
                        fmt::format("{} takes the package's secret '{}', which is not open: give "
                                    "the station's key",
                                    plan.word, plan.secret));
        }
        row.current = 0;
        row.status = !allowed ? FuseStatus::Skipped
                     : hidden ? FuseStatus::Conflict
                              : FuseStatus::Assigned;
        return row;
    }
    row.target = (now & ~plan.mask) | (*value & plan.mask);
    row.status = status_for(now, row.target, allowed, locked, plan.mask);
    if (hidden && allowed)
        row.status = FuseStatus::Conflict;  // reads back 0: neither burned nor compared
    if (!row.secret.empty()) {
        row.current = 0;
        row.target = 0;
    }
    return row;
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

std::optional<std::uint32_t> planned_value(const Job& job, const pkg::FuseWordPlan& plan) {
    if (plan.secret.empty())
        return plan.value;
    const auto it = job.secrets.find(plan.secret);
    if (it == job.secrets.end())
        return std::nullopt;
    if (it->second.size() != 4) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("the package's secret '{}' holds {} bytes; a fuse word takes 4",
                                plan.secret, it->second.size()));
    }
    return load_le32(it->second.data());
}

std::string_view flag_for(const FuseRow& row) {
    if (row.purpose == "close")
        return "--close";
    if (row.purpose.starts_with("data "))
        return "--burn-data-fuses";
    if (row.purpose == "encryption")
        return "--burn-encryption";
    if (row.purpose.starts_with("lock ")) {
        const std::string_view field = std::string_view(row.purpose).substr(5);
        for (const pkg::FeatureFuses& f : pkg::feature_fuses()) {
            if (encryption_feature(f.feature) &&
                (f.lock_field == field || f.read_lock_field == field))
                return "--burn-encryption";
        }
    }
    return "--burn-srk";
}

bool burn_allowed(const FuseRow& row, const WriteOptions& options) {
    const std::string_view flag = flag_for(row);
    if (flag == "--close")
        return options.close;
    if (flag == "--burn-data-fuses")
        return options.burn_data_fuses;
    if (flag == "--burn-encryption")
        return options.burn_encryption;
    return options.burn_srk;
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
            rows.push_back(plan_row(job, options, *plan, cache));
        }
    }
    if (options.close) {
        const device::FuseField& f = field_of(dev, kCloseField);
        const device::FuseWord& w = word_of(dev, f.word);
        // BOOT_CFG1 also holds the BEE fields: closing builds on what the plan burns there.
        std::uint32_t current = cache(w.index);
        for (const auto& r : rows) {
            if (r.index == w.index && r.secret.empty() &&
                (r.status == FuseStatus::Planned || r.status == FuseStatus::Unchanged))
                current = r.target;
        }
        FuseRow row = make_row(std::string(w.name), w.index, cache(w.index), 0, "close");
        row.target = current | field_bit(f);
        row.status = status_for(current, row.target, true, field_set(dev, cache, kBootCfgLock));
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
        row.status = status_for(current, row.target, burn_allowed(row, options), false);
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
        if (!r.secret.empty()) {
            const Guard* g = guard_of(r.word);
            return fmt::format("{}{} (index 0x{:02X}) cannot take the package's key ({}): it holds "
                               "other bits, or is locked{}: refusing to burn any fuse",
                               closing, r.word, r.index, r.secret,
                               g && !g->read_lock.empty()
                                   ? fmt::format(" or read-locked ({}: it reads back as 0 and "
                                                 "cannot be compared)",
                                                 g->read_lock)
                                   : "");
        }
        if (r.mask != pkg::kWholeWord && (r.current & r.mask & ~r.target) != 0) {
            return fmt::format(
                "{}{} (index 0x{:02X}) holds 0x{:08x}, which has bits 0x{:08x} of mask 0x{:08x} "
                "the plan's value lacks (another value already burned): refusing to burn any "
                "fuse",
                closing, r.word, r.index, r.current, r.current & r.mask & ~r.target, r.mask);
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

std::string fuse_value_text(const FuseRow& row, std::uint32_t value) {
    if (!row.secret.empty())
        return fmt::format("secret ({})", row.secret.substr(row.secret.find(':') + 1));
    return fmt::format("0x{:08x}", value);
}

std::string describe_row(const FuseRow& row) {
    if (!row.secret.empty()) {
        return fmt::format("{} {} -> {} ({})", row.word, fuse_value_text(row, 0),
                           fuse_value_text(row, 0), fuse_status_name(row.status));
    }
    if (row.mask != pkg::kWholeWord) {
        return fmt::format("{} 0x{:08x} -> 0x{:08x} (bits 0x{:08x}) ({})", row.word, row.current,
                           row.target, row.mask, fuse_status_name(row.status));
    }
    if (row.status == FuseStatus::Assigned) {
        return fmt::format("{} 0x{:08x} -> assigned at write time ({})", row.word, row.current,
                           fuse_status_name(row.status));
    }
    return fmt::format("{} 0x{:08x} -> 0x{:08x} ({})", row.word, row.current, row.target,
                       fuse_status_name(row.status));
}

}  // namespace rtprov::write
