#include "rtprov/write/sectors.hpp"

#include <algorithm>

namespace rtprov::write {

std::vector<SectorPlan> compare_sectors(std::uint32_t address, ByteView image, ByteView flash,
                                        std::uint32_t sector_size) {
    std::vector<SectorPlan> out;
    std::size_t at = 0;
    while (at < image.size()) {
        const std::uint64_t here = static_cast<std::uint64_t>(address) + at;
        const std::uint64_t sector_end = (here / sector_size + 1) * sector_size;
        const std::size_t n =
            static_cast<std::size_t>(std::min<std::uint64_t>(sector_end - here, image.size() - at));
        const ByteView want = image.subspan(at, n);
        const ByteView have = flash.subspan(at, n);
        SectorPlan s{static_cast<std::uint32_t>(here), static_cast<std::uint32_t>(n),
                     SectorAction::EraseWrite};
        if (std::equal(want.begin(), want.end(), have.begin())) {
            s.action = SectorAction::Keep;
        } else if (std::all_of(have.begin(), have.end(),
                               [](std::uint8_t b) { return b == 0xFF; })) {
            s.action = SectorAction::Write;
        }
        out.push_back(s);
        at += n;
    }
    return out;
}

std::vector<Range> sector_runs(const std::vector<SectorPlan>& sectors,
                               std::initializer_list<SectorAction> actions) {
    std::vector<Range> out;
    for (const auto& s : sectors) {
        if (std::find(actions.begin(), actions.end(), s.action) == actions.end())
            continue;
        if (!out.empty() && out.back().address + out.back().length == s.address) {
            out.back().length += s.length;
        } else {
            out.push_back({s.address, s.length});
        }
    }
    return out;
}

Range align_to_sectors(std::uint32_t address, std::uint64_t length, std::uint32_t sector_size) {
    const std::uint64_t mask = sector_size - 1ull;
    const std::uint64_t start = address & ~mask;
    const std::uint64_t end = (static_cast<std::uint64_t>(address) + length + mask) & ~mask;
    return {static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(end - start)};
}

}  // namespace rtprov::write
