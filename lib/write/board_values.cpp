// Per-board values of a board (package schema 2.1 per-board-data steps): the station admits the
// board and reserves its values once its UID is known, before anything changes; each step then
// writes its value to flash (compare first: a resumed board keeps what it has) or burns it into
// fuse words with the checks every fuse gets.

#include <algorithm>

#include <fmt/format.h>

#include "board_writer.hpp"
#include "rtprov/write/board_data.hpp"

namespace rtprov::write::detail {

namespace {

std::string hex_of(ByteView bytes) {
    std::string out;
    for (std::uint8_t b : bytes)
        out += fmt::format("{:02x}", b);
    return out;
}

}  // namespace

void BoardWriter::admit_board() {
    if (!o_.admit || o_.dry_run)
        return;
    try {
        o_.admit(r_);
    } catch (const Error& e) {
        throw Refused(e);
    }
}

void BoardWriter::prepare_values(const FuseReader& read) {
    const auto steps = pkg::board_data_steps(job_.package.manifest);
    if (steps.empty())
        return;
    // The rows go before closing and the locks: they are burned in their own steps.
    auto at = std::find_if(r_.fuses.begin(), r_.fuses.end(), [](const FuseRow& r) {
        return r.purpose == "close" || r.purpose.starts_with("lock ");
    });
    const auto insert = [&](const std::vector<FuseRow>& rows) {
        at = r_.fuses.insert(at, rows.begin(), rows.end()) +
             static_cast<std::ptrdiff_t>(rows.size());
    };
    if (o_.dry_run) {
        // Nothing is reserved, but every word the run would burn is in the plan: the UID's
        // value is the board's own, the others are assigned at write time.
        warn("dry run: per-board values are not reserved; their fuse words are shown as "
             "assigned at write time");
        for (const pkg::BoardData* d : steps) {
            if (d->fuses.empty())
                continue;
            if (d->source == pkg::BoardDataSource::Uid && r_.uid) {
                const Bytes bytes = encode_board_value(*d, *r_.uid);
                insert(plan_data_fuses(job_, o_, *d, fuse_words_of(bytes, d->fuses.size()), read));
            } else {
                insert(plan_unassigned_data_fuses(job_, o_, *d, read));
            }
        }
        return;
    }
    if (!r_.uid)
        throw Error(ErrorCode::Device, "per-board values need the board's UID, which it lacks");
    std::map<std::string, std::string> reserved;
    const bool station = std::any_of(steps.begin(), steps.end(), [](const pkg::BoardData* d) {
        return d->source != pkg::BoardDataSource::Uid;
    });
    if (station) {
        if (!o_.reserve) {
            throw Error(ErrorCode::Usage,
                        "the package writes per-board values that a station must reserve (a "
                        "counter, CSV rows): write with the station's records database");
        }
        try {
            reserved = o_.reserve(r_);
        } catch (const Error& e) {
            throw Refused(e);  // nothing was changed on the board yet
        }
    }
    for (const pkg::BoardData* d : steps) {
        std::string value;
        if (d->source == pkg::BoardDataSource::Uid) {
            value = *r_.uid;
        } else if (auto it = reserved.find(d->name); it != reserved.end()) {
            value = it->second;
        } else {
            throw Error(ErrorCode::Internal,
                        fmt::format("the station reserved no value for '{}'", d->name));
        }
        const Bytes bytes = encode_board_value(*d, value);
        value_bytes_[d->name] = bytes;
        r_.data.push_back({d->name, std::string(pkg::board_data_source_name(d->source)), value,
                           describe_target(*d), "reserved"});
        if (!d->fuses.empty())
            insert(plan_data_fuses(job_, o_, *d, fuse_words_of(bytes, d->fuses.size()), read));
    }
}

StepDone BoardWriter::board_value(const pkg::WriteStep& s) {
    const pkg::BoardData& d = s.data;
    auto v = std::find_if(r_.data.begin(), r_.data.end(),
                          [&](const BoardValue& b) { return b.name == d.name; });
    const auto bytes = value_bytes_.find(d.name);
    if (v == r_.data.end() || bytes == value_bytes_.end())
        throw Error(ErrorCode::Internal, fmt::format("no value prepared for '{}'", d.name));
    // Until it is known to have landed.
    v->status = "failed";
    return d.fuses.empty() ? value_to_flash(d, bytes->second, *v) : value_to_fuses(d, *v);
}

StepDone BoardWriter::value_to_flash(const pkg::BoardData& d, const Bytes& bytes, BoardValue& v) {
    Progress progress(*this, std::uint64_t{d.size} * 2);
    const Bytes now = read_back(d.memory_id, d.address, d.size, progress);
    if (now == bytes) {
        v.status = "unchanged";
        return {fmt::format("{} {} already at 0x{:08X}", d.name, v.value, d.address), true};
    }
    std::string how = "written";
    if (std::all_of(now.begin(), now.end(), [](std::uint8_t b) { return b == 0xFF; })) {
        retry(fmt::format("write {} at 0x{:08X}", d.name, d.address),
              [&] { mb().write_memory(d.address, bytes, d.memory_id); });
    } else {
        // Another value is there (a board written before): its sector is erased and written
        // again with everything else it held.
        const std::uint32_t sector = sector_size(d.memory_id);
        const Range r = align_to_sectors(d.address, d.size, sector);
        Progress keep(*this, r.length);
        Bytes content = read_back(d.memory_id, r.address, r.length, keep);
        std::copy(bytes.begin(), bytes.end(), content.begin() + (d.address - r.address));
        retry(fmt::format("erase 0x{:08X}..0x{:08X}", r.address, r.address + r.length - 1),
              [&] { mb().flash_erase_region(r.address, r.length, d.memory_id); });
        retry(fmt::format("write 0x{:08X}..0x{:08X}", r.address, r.address + r.length - 1),
              [&] { mb().write_memory(r.address, content, d.memory_id); });
        how = fmt::format("written over {} (sector erased and written again)", hex_of(now));
    }
    const Bytes back = read_back(d.memory_id, d.address, d.size, progress);
    if (back != bytes) {
        throw Error(ErrorCode::Verification,
                    fmt::format("{}: reads back {} at 0x{:08X}, expected {}", d.name, hex_of(back),
                                d.address, hex_of(bytes)));
    }
    v.status = "written";
    return {fmt::format("{} {} {} at 0x{:08X} ({} bytes), read back equal", d.name, v.value, how,
                        d.address, d.size)};
}

StepDone BoardWriter::value_to_fuses(const pkg::BoardData& d, BoardValue& v) {
    const std::string purpose = "data " + d.name;
    std::vector<FuseRow*> rows;
    for (auto& r : r_.fuses) {
        if (r.purpose == purpose)
            rows.push_back(&r);
    }
    const auto all = [&](FuseStatus status) {
        return std::all_of(rows.begin(), rows.end(),
                           [&](const FuseRow* r) { return r->status == status; });
    };
    if (all(FuseStatus::Unchanged)) {
        v.status = "unchanged";
        return {fmt::format("{} {} already in {}", d.name, v.value, describe_target(d)), true};
    }
    if (!o_.burn_data_fuses) {
        v.status = "skipped";
        return {fmt::format("{} {} not burned into {} (--burn-data-fuses not given)", d.name,
                            v.value, describe_target(d)),
                true};
    }
    for (FuseRow* r : rows) {
        if (r->status == FuseStatus::Planned)
            burn(*r);
    }
    for (FuseRow* r : rows) {
        const std::uint32_t back = read_fuse(r->index);
        r->read_back = back;
        if (back != r->target) {
            r->status = FuseStatus::Failed;
            fuse_failure(*r, ErrorCode::Verification,
                         fmt::format("reads back 0x{:08x}, expected 0x{:08x}", back, r->target));
        }
    }
    emit(event(EventKind::FusePlan));
    v.status = "written";
    return {
        fmt::format("{} {} burned into {}, read back equal", d.name, v.value, describe_target(d))};
}

}  // namespace rtprov::write::detail
