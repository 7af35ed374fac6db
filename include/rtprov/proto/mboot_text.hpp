#pragma once
// blhost's text forms of MCUBoot results, so that `rtprov mboot` prints what blhost users and
// their scripts read (SPSDK 3.x spelling): the interpretation line of a property ("Max Packet
// Size = 1.0 kiB"), sizes, and the memory list of `list-memory`. Pure functions without I/O.

#include <cstdint>
#include <string>
#include <vector>

#include "rtprov/proto/mboot_client.hpp"

namespace rtprov::proto::mboot {

// "0 B", "256 B", "1.0 kiB", "8.0 MiB": binary units with one decimal from 1 KiB on.
std::string size_text(std::uint64_t bytes);
// The lines blhost prints after the response words of get-property `tag` with `values` (the
// status word removed): "Current Version = K1.6.0"; Reserved Regions adds one line per region.
// Empty for a property blhost does not interpret or for values too short for it.
std::vector<std::string> property_text(std::uint8_t tag, const std::vector<std::uint32_t>& values);
// blhost's label of an external memory id ("FLEX-SPI-NOR", "SEMC-NAND"); "0xNN" when unknown.
std::string memory_label(std::uint32_t memory_id);

// list-memory: the flashloader's internal flash and RAM regions (properties 3/4/5 and 14/15 per
// region index, until one fails or repeats the first) and its external memories (property 0x19
// for each RT10xx memory id), as lines in blhost's layout. Throws what the client throws for a
// link failure; failing statuses only end a list.
std::vector<std::string> list_memories(McuBootClient& mb);

}  // namespace rtprov::proto::mboot
