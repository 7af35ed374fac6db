// The RT1010 flashloader's OTFAD option block (otfad::otpmk_option_block()): configure-memory
// with 0xE000_KN00 (key source K: 0 OTPMK[127:0], 1 OTPMK[255:128]; N ranges) and N {start,
// inclusive end} pairs makes a key blob table with the simulated OTPMK half (bee_keys.hpp) and a
// random key and counter per range, programs it at flash offset 0, and encrypts every later write
// into those ranges.

#include <fmt/format.h>

#include "rtprov/hab/encrypt.hpp"
#include "rtprov/sim/bee_keys.hpp"
#include "rtprov/sim/flashloader.hpp"

namespace rtprov::sim {

namespace {

namespace mb = proto::mboot;

constexpr std::uint32_t st(mb::Status s) {
    return static_cast<std::uint32_t>(s);
}

}  // namespace

std::uint32_t Flashloader::configure_otfad(std::uint32_t option, std::uint32_t address) {
    if (!chip_->flash_configured())
        return st(mb::Status::MemoryNotConfigured);
    const std::uint32_t count = (option >> 8) & 0xF;
    const std::uint32_t source = (option >> 12) & 0xF;
    // Reserved bits 27:16 zero; a redundant image (bits 7:0) is not simulated.
    if ((option & 0x0FFF00FF) != 0 || source > 1 || count == 0 || count > otfad::kContexts)
        return st(mb::Status::InvalidArgument);
    Bytes words(8 * count);
    if (chip_->area_of(address + 4, words.size()) != Area::Ram ||
        chip_->read(address + 4, words) != BusStatus::Ok)
        return st(mb::Status::MemoryRangeInvalid);
    std::vector<otfad::Context> contexts;
    for (std::uint32_t i = 0; i < count; ++i) {
        otfad::Context c;
        c.start = load_le32(&words[8 * i]);
        const std::uint64_t end = static_cast<std::uint64_t>(load_le32(&words[8 * i + 4])) + 1;
        if (c.start % otfad::kRegionAlign != 0 || end % otfad::kRegionAlign != 0 ||
            end <= c.start || c.start < chip_->flash_base() + otfad::kLowestStart ||
            chip_->area_of(c.start, end - c.start) != Area::Flash)
            return st(mb::Status::InvalidArgument);
        for (const otfad::Context& o : contexts) {
            if (c.start < o.end && o.start < end)
                return st(mb::Status::InvalidArgument);
        }
        c.end = static_cast<std::uint32_t>(end);
        c.flags = otfad::kFlagValid | otfad::kFlagDecrypt | otfad::kFlagReadOnly;
        const Bytes random = hab::random_bytes(24);
        std::copy_n(random.begin(), 16, c.key.begin());
        std::copy_n(random.begin() + 16, 8, c.counter.begin());
        contexts.push_back(c);
    }
    const Bytes table = otfad::key_blob_table(contexts, sim_otpmk_key(chip_->fuses(), source));
    dirty_ = true;
    if (chip_->flash().program(0, table) != FlashStatus::Ok)
        return st(mb::Status::FlexspiNorProgramFail);
    otfad_ = std::move(contexts);
    return st(mb::Status::Success);
}

}  // namespace rtprov::sim
