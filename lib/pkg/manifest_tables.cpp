// The manifest's name tables (features, file roles, steps, per-board sources and formats, lock
// policies) and the facts derived from a manifest without parsing or formatting it.

#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "rtprov/pkg/manifest.hpp"

namespace rtprov::pkg {

namespace {

constexpr Feature kFeatures[] = {
    {"hab-signed", "0.1.0", "the image is HAB4-signed; the part boots it closed once fused"},
    {"hab-encrypted", "0.1.0", "the application is HAB-encrypted (DEK blob made on the device)"},
    {"fuse-srk", "0.1.0", "the SRK hash is to be burned into SRK0..SRK7"},
    {"per-board-data", "0.3.0",
     "each board gets its own values (a serial number, a CSV row, its UID) in flash or fuses"},
    {"production-quota", "0.3.0", "a station writes at most a given number of boards"},
    {"hab-dek-blob", "0.3.0",
     "each part wraps the DEK into its own key blob (generate-key-blob), written beside the CSF"},
    {"bee-otpmk", "0.3.0",
     "BEE encrypted XIP with the part's OTPMK: the flashloader encrypts while writing"},
    {"bee-user-key", "0.3.0", "BEE encrypted XIP with a user key burned into SW_GP2"},
    {"otfad-otpmk", "0.3.0",
     "OTFAD encrypted XIP (RT1010) with the part's OTPMK: the flashloader writes the key blobs "
     "at flash offset 0 and encrypts while writing"},
    {"otfad-user-key", "0.3.0",
     "OTFAD encrypted XIP (RT1010) with a KEK burned into SW_GP2: key blobs at flash offset 0"},
    {"sealed-secrets", "0.3.0", "secrets sealed to station keys; a station opens them to write"},
};

constexpr std::array<std::string_view, 11> kRoleNames = {
    "image",     "srk-hash",    "project", "app",         "fcb",    "dcd",
    "srk-table", "certificate", "readme",  "flashloader", "secrets"};

constexpr std::array<std::string_view, 10> kStepNames = {
    "load-flashloader", "configure-memory", "erase",          "write",   "verify",
    "program-fuses",    "lock-fuses",       "reset",          "per-board-data",
    "key-blob"};

constexpr std::array<std::string_view, 3> kSourceNames = {"counter", "csv", "uid"};
constexpr std::array<std::string_view, 4> kFormatNames = {"le32", "le64", "hex", "text"};

template <typename Enum, std::size_t N>
std::optional<Enum> enum_named(const std::array<std::string_view, N>& names,
                               std::string_view name) {
    for (std::size_t i = 0; i < N; ++i)
        if (names[i] == name)
            return static_cast<Enum>(i);
    return std::nullopt;
}

}  // namespace

std::string_view board_data_source_name(BoardDataSource source) {
    return kSourceNames.at(static_cast<std::size_t>(source));
}

std::optional<BoardDataSource> parse_board_data_source(std::string_view name) {
    return enum_named<BoardDataSource>(kSourceNames, name);
}

std::string_view board_data_format_name(BoardDataFormat format) {
    return kFormatNames.at(static_cast<std::size_t>(format));
}

std::optional<BoardDataFormat> parse_board_data_format(std::string_view name) {
    return enum_named<BoardDataFormat>(kFormatNames, name);
}

std::optional<std::string> board_data_problem(const BoardData& d) {
    const bool name_ok =
        !d.name.empty() && d.name.size() <= 32 &&
        d.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") == std::string::npos;
    if (!name_ok)
        return fmt::format("'{}' is not a name of 1..32 characters a-z, 0-9, '_', '-'", d.name);
    if (d.source == BoardDataSource::Csv && d.column.empty())
        return fmt::format("{}: a csv value needs the column it is in", d.name);
    if (d.source == BoardDataSource::Counter && d.format == BoardDataFormat::Hex)
        return fmt::format("{}: a counter is written as le32, le64 or text, not hex", d.name);
    if (d.source == BoardDataSource::Uid && d.format == BoardDataFormat::Le32)
        return fmt::format("{}: a UID has 64 bits: le64, hex or text, not le32", d.name);
    if (d.size == 0)
        return fmt::format("{}: size is 0", d.name);
    const std::uint32_t fixed = d.format == BoardDataFormat::Le32   ? 4
                                : d.format == BoardDataFormat::Le64 ? 8
                                                                    : 0;
    if (fixed != 0 && d.size != fixed)
        return fmt::format("{}: format {} is {} bytes, not {}", d.name,
                           board_data_format_name(d.format), fixed, d.size);
    if (d.size > kMaxBoardDataSize)
        return fmt::format("{}: {} bytes is more than {}", d.name, d.size, kMaxBoardDataSize);
    if (!d.fuses.empty() && d.size > 4 * d.fuses.size())
        return fmt::format("{}: {} bytes do not fit {} fuse word{}", d.name, d.size, d.fuses.size(),
                           d.fuses.size() == 1 ? "" : "s");
    return std::nullopt;
}

std::string describe_board_data(const BoardData& d) {
    std::string from;
    switch (d.source) {
        case BoardDataSource::Counter:
            from = fmt::format("counter from {}", d.start);
            break;
        case BoardDataSource::Csv:
            from = fmt::format("csv column {}", d.column);
            break;
        case BoardDataSource::Uid:
            from = "the board's UID";
            break;
    }
    const std::string to = d.fuses.empty()
                               ? fmt::format("to memory {} at 0x{:08x}", d.memory_id, d.address)
                               : fmt::format("into fuses {}", fmt::join(d.fuses, ", "));
    return fmt::format("{}: {}, {} ({} bytes) {}", d.name, from, board_data_format_name(d.format),
                       d.size, to);
}

SchemaVersion schema_for(const Manifest& m) {
    const bool secret_fuses = std::any_of(m.fuses.begin(), m.fuses.end(), [](const auto& w) {
        return w.mask != kWholeWord || !w.secret.empty();
    });
    const bool key_blobs = std::any_of(m.write_plan.begin(), m.write_plan.end(),
                                       [](const auto& s) { return s.op == StepOp::KeyBlob; });
    if (m.secrets || secret_fuses || key_blobs)
        return SchemaVersion{kSchemaMajor, 2};
    const bool newer = m.production.quota.has_value() || !board_data_steps(m).empty();
    return SchemaVersion{kSchemaMajor, newer ? 1u : 0u};
}

std::vector<const BoardData*> board_data_steps(const Manifest& m) {
    std::vector<const BoardData*> out;
    for (const auto& s : m.write_plan)
        if (s.op == StepOp::PerBoardData)
            out.push_back(&s.data);
    return out;
}

std::string_view step_op_name(StepOp op) {
    return kStepNames.at(static_cast<std::size_t>(op));
}

std::optional<StepOp> parse_step_op(std::string_view name) {
    for (std::size_t i = 0; i < kStepNames.size(); ++i)
        if (kStepNames[i] == name)
            return static_cast<StepOp>(i);
    return std::nullopt;
}

std::span<const Feature> known_features() {
    return kFeatures;
}

const Feature* find_feature(std::string_view name) {
    for (const auto& f : kFeatures)
        if (f.name == name)
            return &f;
    return nullptr;
}

std::string_view file_role_name(FileRole role) {
    return kRoleNames.at(static_cast<std::size_t>(role));
}

std::optional<FileRole> parse_file_role(std::string_view name) {
    for (std::size_t i = 0; i < kRoleNames.size(); ++i)
        if (kRoleNames[i] == name)
            return static_cast<FileRole>(i);
    return std::nullopt;
}

std::string_view lock_policy_name(LockPolicy policy) {
    return policy == LockPolicy::None ? "none" : "after-verify";
}

std::optional<LockPolicy> parse_lock_policy(std::string_view name) {
    if (name == "none")
        return LockPolicy::None;
    if (name == "after-verify")
        return LockPolicy::AfterVerify;
    return std::nullopt;
}

}  // namespace rtprov::pkg
