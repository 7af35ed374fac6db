#include "rtprov/sim/inspect.hpp"

namespace rtprov::sim {

Inspection inspect(const Chip& chip) {
    Inspection out;
    out.device = std::string(chip.device().name);
    out.uid = chip.fuses().uid();
    out.mode = chip.mode();
    out.geometry = chip.flash().geometry();
    for (const auto& w : chip.fuses().words()) {
        if (w.value != 0)
            out.fuses.push_back({std::string(w.word->name), w.word->index, w.value});
    }
    out.flash_used = chip.flash().used_ranges();
    out.flash_base = chip.flash_base();
    out.hab_closed = chip.fuses().hab_closed();
    out.boot = check_flash_boot(chip);
    return out;
}

}  // namespace rtprov::sim
