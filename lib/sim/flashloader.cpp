#include "rtprov/sim/flashloader.hpp"

#include <algorithm>

#include "option_fcb.hpp"
#include "rtprov/boot/fcb.hpp"
#include "rtprov/boot/flash_option.hpp"
#include "rtprov/hab/encrypt.hpp"
#include "rtprov/sb/sb.hpp"
#include "rtprov/sim/bee_keys.hpp"
#include "rtprov/sim/key_blob.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::sim {

namespace {

namespace mb = proto::mboot;
using mb::CommandTag;
using mb::Status;

constexpr std::uint32_t st(Status s) {
    return static_cast<std::uint32_t>(s);
}

constexpr std::uint32_t kFlexspiNorId = static_cast<std::uint32_t>(mb::MemoryId::FlexspiNor);
constexpr std::uint32_t kUnsupportedCommand = 10006;
constexpr std::uint32_t kOptionTagFlexspiNor = 0xC;
constexpr std::uint32_t kOptionTagBee = 0xE;  // OTPMK BEE region (PRDB) option
constexpr std::uint32_t kOptionProgramFcb = boot::kProgramFcbOption;

MbootOut packet(const mb::Packet& p) {
    return {false, mb::encode_packet(p)};
}

std::vector<MbootOut> generic(std::uint32_t status, CommandTag tag) {
    return {packet(mb::make_generic_response(status, static_cast<std::uint8_t>(tag)))};
}

// Memory ids 1..255 are memory-mapped devices addressed through their window (SPSDK clamps them
// to 0 itself); ids from 256 up name devices this flashloader model does not have.
bool mapped(std::uint32_t memory_id) {
    return memory_id < 256;
}

}  // namespace

Flashloader::Flashloader(Chip& chip, FlashloaderFaults faults)
    : chip_(&chip), faults_(std::move(faults)) {}

std::vector<MbootOut> Flashloader::on_command(ByteView bytes) {
    mb::Packet cmd;
    try {
        cmd = mb::decode_packet(bytes);
    } catch (const Error&) {
        return generic(st(Status::InvalidArgument), static_cast<CommandTag>(0));
    }
    abort_data_phase();
    const auto tag = static_cast<CommandTag>(cmd.tag);
    auto p = [&](std::size_t i) { return i < cmd.params.size() ? cmd.params[i] : 0u; };
    switch (tag) {
        case CommandTag::GetProperty:
            return get_property(p(0), p(1));
        case CommandTag::SetProperty:
            return generic(set_property(p(0), p(1)), tag);
        case CommandTag::ReadMemory:
            if (!mapped(p(2)))
                return generic(st(Status::MemoryRangeInvalid), tag);
            return read_memory(p(0), p(1));
        case CommandTag::WriteMemory:
            if (!mapped(p(2)))
                return generic(st(Status::MemoryRangeInvalid), tag);
            return generic(begin_write(p(0), p(1)), tag);
        case CommandTag::FillMemory:
            return generic(fill_memory(p(0), p(1), p(2)), tag);
        case CommandTag::FlashEraseRegion:
            if (!mapped(p(2)))
                return generic(st(Status::MemoryRangeInvalid), tag);
            return generic(erase_region(p(0), p(1)), tag);
        case CommandTag::FlashEraseAll:
            return generic(erase_all(p(0)), tag);
        case CommandTag::ConfigureMemory:
            return generic(configure_memory(p(0), p(1)), tag);
        case CommandTag::FlashProgramOnce:
            return generic(program_once(p(0), p(1), p(2)), tag);
        case CommandTag::FlashReadOnce: {
            const auto value = software_fuse_read(chip_->fuses(), p(0));
            if (!value || p(1) != 4)
                return {packet(mb::make_read_once_response(st(Status::InvalidArgument), {}))};
            return {packet(mb::make_read_once_response(st(Status::Success), {*value}))};
        }
        case CommandTag::Reset:
            bee_.reset();
            forget_dek();
            otfad_.clear();
            reset_ = true;
            chip_->reset();
            return generic(st(Status::Success), tag);
        case CommandTag::Execute:
        case CommandTag::Call:
            // The simulator runs no code: the jump is accepted when it targets readable memory.
            return generic(chip_->area_of(p(0)) == Area::None ? st(Status::MemoryRangeInvalid)
                                                              : st(Status::Success),
                           tag);
        case CommandTag::ReceiveSbFile:
            return generic(begin_sb(p(0)), tag);
        case CommandTag::GenerateKeyBlob:
            return generate_key_blob(cmd);
        default:
            return generic(kUnsupportedCommand, tag);
    }
}

std::uint32_t Flashloader::check_range(std::uint32_t address, std::uint32_t count) const {
    const Area area = chip_->area_of(address, std::max<std::uint32_t>(count, 1));
    if (area == Area::Flash)
        return chip_->flash_configured() ? st(Status::Success) : st(Status::MemoryNotConfigured);
    if (area == Area::Ram || area == Area::Peripheral || area == Area::Ocotp)
        return st(Status::Success);
    // The flash window before configure-memory: the flash size is not known yet.
    if (chip_->area_of(address) == Area::Flash && !chip_->flash_configured())
        return st(Status::MemoryNotConfigured);
    return st(Status::MemoryRangeInvalid);
}

std::vector<MbootOut> Flashloader::read_memory(std::uint32_t address, std::uint32_t count) {
    const std::uint32_t status = check_range(address, count);
    if (status != st(Status::Success))
        return generic(status, CommandTag::ReadMemory);
    Bytes data(count);
    chip_->read(address, data);
    std::vector<MbootOut> out{packet(mb::make_read_memory_response(status, count))};
    for (std::size_t at = 0; at < data.size(); at += kMaxPacketSize) {
        const std::size_t n = std::min<std::size_t>(kMaxPacketSize, data.size() - at);
        out.push_back({true, Bytes(data.begin() + static_cast<std::ptrdiff_t>(at),
                                   data.begin() + static_cast<std::ptrdiff_t>(at + n))});
    }
    out.push_back(packet(mb::make_generic_response(status, 0x03)));
    return out;
}

std::uint32_t Flashloader::begin_write(std::uint32_t address, std::uint32_t count) {
    const std::uint32_t status = check_range(address, count);
    if (status != st(Status::Success))
        return status;
    if (chip_->area_of(address, std::max<std::uint32_t>(count, 1)) == Area::Ocotp)
        return st(Status::MemoryRangeInvalid);
    data_address_ = address;
    data_left_ = count;
    data_status_ = st(Status::Success);
    return status;
}

std::uint32_t Flashloader::write_bytes(std::uint32_t address, ByteView data) {
    if (chip_->area_of(address, data.size()) != Area::Flash)
        return chip_->write(address, data) == BusStatus::Ok ? st(Status::Success)
                                                            : st(Status::MemoryRangeInvalid);
    dirty_ = true;
    ByteView part = data;
    Bytes encrypted;
    if (bee_) {
        // CTR is a keystream: encrypt from the 16-byte block the write starts in.
        const std::uint32_t from = address & ~15u;
        encrypted.assign(address - from, 0);
        encrypted.insert(encrypted.end(), data.begin(), data.end());
        bee::crypt_data(encrypted, from, bee_->prdb, bee_->key);
        encrypted.erase(encrypted.begin(), encrypted.begin() + (address - from));
        part = encrypted;
    }
    if (!otfad_.empty()) {
        const std::uint32_t from = address & ~15u;
        encrypted.assign(address - from, 0);
        encrypted.insert(encrypted.end(), data.begin(), data.end());
        otfad::crypt_data(encrypted, from, otfad_);
        encrypted.erase(encrypted.begin(), encrypted.begin() + (address - from));
        part = encrypted;
    }
    if (faults_.power_loss_after) {
        const std::uint64_t budget = *faults_.power_loss_after;
        if (budget < data.size()) {
            part = data.first(static_cast<std::size_t>(budget));
            power_lost_ = true;
        }
        *faults_.power_loss_after -= part.size();
    }
    const std::uint32_t offset = address - chip_->flash_base();
    FlashStatus fs = chip_->flash().program(offset, part);
    if (faults_.program_fail && faults_.program_fail())
        fs = FlashStatus::ProgramFail;
    if (fs == FlashStatus::OutOfRange)
        return st(Status::MemoryRangeInvalid);
    if (fs == FlashStatus::ProgramFail)
        return verify_writes_ ? st(Status::FlexspiNorProgramFail) : st(Status::Success);
    return st(Status::Success);
}

std::vector<MbootOut> Flashloader::on_data(ByteView data) {
    if (data_left_ == 0)
        return {};
    const std::size_t n = std::min<std::size_t>(data.size(), data_left_);
    if (sb_) {
        if (data_status_ == st(Status::Success) && !power_lost_) {
            const std::uint32_t s = sb_->pump(data.first(n));
            // Underrun: a chunk continues in the next packet.
            if (s != SbLoader::kDataUnderrun && s != SbLoader::kSectionOverrun)
                data_status_ = s;
        }
        data_left_ -= static_cast<std::uint32_t>(n);
        return data_left_ > 0 || power_lost_ ? std::vector<MbootOut>{} : end_sb();
    }
    if (dek_in_) {
        dek_in_->insert(dek_in_->end(), data.begin(),
                        data.begin() + static_cast<std::ptrdiff_t>(n));
        data_left_ -= static_cast<std::uint32_t>(n);
        return data_left_ > 0 ? std::vector<MbootOut>{} : end_dek();
    }
    if (data_status_ == st(Status::Success) && !power_lost_)
        data_status_ = write_bytes(data_address_, data.first(n));
    data_address_ += static_cast<std::uint32_t>(n);
    data_left_ -= static_cast<std::uint32_t>(n);
    if (data_left_ > 0 || power_lost_)
        return {};
    return generic(data_status_, CommandTag::WriteMemory);
}

std::uint32_t Flashloader::begin_sb(std::uint32_t count) {
    if (count == 0)
        return st(Status::InvalidArgument);
    sb_.emplace(sb_ops());
    data_left_ = count;
    data_status_ = st(Status::Success);
    return st(Status::Success);
}

std::vector<MbootOut> Flashloader::end_sb() {
    std::uint32_t status = data_status_;
    const sb::Tag last = sb_->final_command();
    sb_.reset();
    if (status == SbLoader::kAbortDataPhase) {
        // MCUBoot answers, then jumps or resets (sbloader_finalize). The simulator runs no code:
        // a jump leaves it in the flashloader.
        if (last == sb::Tag::Reset) {
            reset_ = true;
            chip_->reset();
            status = st(Status::RomLdrPendingReset);
        } else {
            status = st(Status::RomLdrPendingJump);
        }
    }
    return generic(status, CommandTag::ReceiveSbFile);
}

SbOps Flashloader::sb_ops() {
    SbOps ops;
    ops.write = [this](std::uint32_t address, ByteView data, std::uint32_t memory_id) {
        if (!mapped(memory_id))
            return st(Status::MemoryRangeInvalid);
        const std::uint32_t status = check_range(address, static_cast<std::uint32_t>(data.size()));
        if (status != st(Status::Success))
            return status;
        if (chip_->area_of(address, data.size()) == Area::Ocotp)
            return st(Status::MemoryRangeInvalid);
        return write_bytes(address, data);
    };
    ops.fill = [this](std::uint32_t address, std::uint32_t count, std::uint32_t pattern) {
        return fill_memory(address, count, pattern);
    };
    ops.erase = [this](std::uint32_t address, std::uint32_t count, std::uint32_t memory_id) {
        return mapped(memory_id) ? erase_region(address, count) : st(Status::MemoryRangeInvalid);
    };
    ops.erase_all = [this](std::uint32_t memory_id) { return erase_all(memory_id); };
    ops.configure = [this](std::uint32_t memory_id, std::uint32_t address) {
        return configure_memory(memory_id, address);
    };
    ops.program_fuse = [this](std::uint32_t index, std::uint32_t value) {
        return program_once(index, 4, value);
    };
    ops.call = [this](std::uint32_t address) {
        return chip_->area_of(address) == Area::None ? st(Status::MemoryRangeInvalid)
                                                     : st(Status::Success);
    };
    return ops;
}

std::uint32_t Flashloader::fill_memory(std::uint32_t address, std::uint32_t count,
                                       std::uint32_t pattern) {
    const std::uint32_t status = check_range(address, count);
    if (status != st(Status::Success))
        return status;
    // Pattern bytes, then doubling copies: a fill of a whole SDRAM (32 MiB) costs a few
    // milliseconds, not seconds (fuzzing found a handful of fill commands stalling the device).
    Bytes data(count);
    for (std::size_t i = 0; i < std::min<std::size_t>(4, data.size()); ++i)
        data[i] = static_cast<std::uint8_t>(pattern >> (8 * i));
    for (std::size_t done = 4; done < data.size(); done *= 2)
        std::copy_n(data.begin(), std::min(done, data.size() - done),
                    data.begin() + static_cast<std::ptrdiff_t>(done));
    return write_bytes(address, data);
}

std::uint32_t Flashloader::erase_region(std::uint32_t address, std::uint32_t count) {
    if (chip_->area_of(address, std::max<std::uint32_t>(count, 1)) != Area::Flash)
        return check_range(address, count) == st(Status::MemoryNotConfigured)
                   ? st(Status::MemoryNotConfigured)
                   : st(Status::MemoryRangeInvalid);
    if (!chip_->flash_configured())
        return st(Status::MemoryNotConfigured);
    dirty_ = true;
    chip_->flash().erase(address - chip_->flash_base(), count);
    return st(Status::Success);
}

std::uint32_t Flashloader::erase_all(std::uint32_t memory_id) {
    if (memory_id != 0 && memory_id != kFlexspiNorId)
        return st(Status::InvalidArgument);
    if (!chip_->flash_configured())
        return st(Status::MemoryNotConfigured);
    dirty_ = true;
    chip_->flash().erase_all();
    return st(Status::Success);
}

std::uint32_t Flashloader::configure_memory(std::uint32_t memory_id, std::uint32_t address) {
    if (memory_id != kFlexspiNorId)
        return st(Status::InvalidArgument);
    Bytes head(4);
    if (chip_->read(address, head) != BusStatus::Ok || chip_->area_of(address, 4) != Area::Ram)
        return st(Status::MemoryRangeInvalid);
    const std::uint32_t option = load_le32(head.data());
    if (option == kOptionProgramFcb)
        return program_fcb();
    if (option == boot::kFcbTag) {  // a whole FCB in RAM
        Bytes fcb(boot::kFcbSize);
        chip_->read(address, fcb);
        const auto g = NorFlash::geometry_from_fcb(fcb);
        if (!g)
            return st(Status::InvalidArgument);
        chip_->flash().set_geometry(*g);
        chip_->set_flash_configured(true);
        config_block_ = std::move(fcb);
        return st(Status::Success);
    }
    if ((option >> 28) == kOptionTagBee && chip_->device().fuse_field("OTFAD_ENABLE") != nullptr)
        return configure_otfad(option, address);
    if ((option >> 28) == kOptionTagBee)
        return configure_bee(option, address);
    if ((option >> 28) != kOptionTagFlexspiNor)
        return st(Status::InvalidArgument);
    // SFDP probing finds the flash; an FCB already on it tells its geometry.
    const device::BootLayout* layout = chip_->device().layout(device::BootDevice::FlexspiNor);
    const std::uint32_t fcb_offset = layout != nullptr ? layout->fcb_offset : 0;
    if (auto g = NorFlash::geometry_from_fcb(chip_->flash().read(fcb_offset, boot::kFcbSize)))
        chip_->flash().set_geometry(*g);
    chip_->set_flash_configured(true);
    config_block_ = fcb_from_option(option, chip_->flash().geometry());
    return st(Status::Success);
}

std::uint32_t Flashloader::configure_bee(std::uint32_t option, std::uint32_t address) {
    if (!chip_->flash_configured())
        return st(Status::MemoryNotConfigured);
    const std::uint32_t count = (option >> 16) & 0xF;
    // Key source 0 (OTPMK) and AES-CTR are the only values the RT flashloader takes.
    if (((option >> 24) & 0xF) != 0 || ((option >> 20) & 0xF) != bee::kModeCtr || count == 0 ||
        count > bee::kMaxFacs)
        return st(Status::InvalidArgument);
    Bytes words(8 * count);
    if (chip_->area_of(address + 4, words.size()) != Area::Ram ||
        chip_->read(address + 4, words) != BusStatus::Ok)
        return st(Status::MemoryRangeInvalid);
    bee::RegionHeader h;
    for (std::uint32_t i = 0; i < count; ++i)
        h.prdb.facs.push_back({load_le32(&words[8 * i]), load_le32(&words[8 * i + 4]), 0});
    try {
        bee::check_facs(h.prdb.facs, "BEE option");
    } catch (const Error&) {
        return st(Status::InvalidArgument);
    }
    for (const bee::Fac& f : h.prdb.facs) {
        if (chip_->area_of(f.start, f.length) != Area::Flash ||
            f.start < chip_->flash_base() + 0x1000)
            return st(Status::InvalidArgument);
    }
    const Bytes random = hab::random_bytes(44);
    std::copy_n(random.begin(), 16, h.kib.key.begin());
    std::copy_n(random.begin() + 16, 16, h.kib.iv.begin());
    std::copy_n(random.begin() + 32, 12, h.prdb.nonce.begin());
    const bee::Key key = sim_otpmk_key(chip_->fuses(), 0);
    dirty_ = true;
    if (chip_->flash().program(bee::kHeaderOffsets[0], bee::encrypt_header(h, key)) !=
        FlashStatus::Ok)
        return st(Status::FlexspiNorProgramFail);
    bee_ = OtpmkBee{h.prdb, key};
    return st(Status::Success);
}

std::vector<MbootOut> Flashloader::generate_key_blob(const mb::Packet& cmd) {
    constexpr auto tag = CommandTag::GenerateKeyBlob;
    auto p = [&](std::size_t i) { return i < cmd.params.size() ? cmd.params[i] : 0u; };
    const std::uint32_t key_sel = p(0), phase = p(2);
    // 0 and 1 select the OTPMK. The ZMK and CMK (2, 3) are SNVS keys that NXP's RT10xx
    // flashloader does not wrap with; like its keyblob code, anything else is an invalid argument.
    if (key_sel > 1 || phase > 1)
        return generic(st(Status::InvalidArgument), tag);
    if (phase == 0) {
        forget_dek();
        // The RT10xx DCP takes an AES-128 DEK only: a 24- or 32-byte DEK is refused before its
        // data phase, not wrapped into a blob the ROM could not use.
        if (!cmd.has_data_phase() || p(1) != kSimDekSize)
            return generic(st(Status::InvalidArgument), tag);
        dek_in_.emplace();
        data_left_ = p(1);
        return generic(st(Status::Success), tag);
    }
    if (!dek_ || p(1) < kSimKeyBlobSize)
        return generic(st(Status::InvalidArgument), tag);
    const Bytes blob = make_key_blob(chip_->fuses(), *dek_);
    forget_dek();
    const auto size = static_cast<std::uint32_t>(blob.size());
    std::vector<MbootOut> out{packet(mb::Packet{static_cast<std::uint8_t>(mb::ResponseTag::KeyBlob),
                                                mb::kFlagDataPhase,
                                                {st(Status::Success), size}})};
    out.push_back({true, blob});
    out.push_back(
        packet(mb::make_generic_response(st(Status::Success), static_cast<std::uint8_t>(tag))));
    return out;
}

std::vector<MbootOut> Flashloader::end_dek() {
    dek_ = std::move(*dek_in_);
    dek_in_.reset();
    return generic(st(Status::Success), CommandTag::GenerateKeyBlob);
}

void Flashloader::forget_dek() {
    for (std::optional<Bytes>* k : {&dek_in_, &dek_}) {
        if (*k)
            std::fill((*k)->begin(), (*k)->end(), 0);
        k->reset();
    }
}

std::uint32_t Flashloader::program_fcb() {
    // As NXP's flexspi_nor_mem_config: without a configured flash the magic word is no option
    // (kStatus_InvalidArgument); the block goes only into an erased FCB area, else
    // kStatusMemoryCumulativeWrite.
    if (!chip_->flash_configured())
        return st(Status::InvalidArgument);
    const device::BootLayout* layout = chip_->device().layout(device::BootDevice::FlexspiNor);
    const std::uint32_t fcb_offset = layout != nullptr ? layout->fcb_offset : 0;
    const Bytes area = chip_->flash().read(fcb_offset, boot::kFcbSize);
    if (std::any_of(area.begin(), area.end(), [](std::uint8_t b) { return b != 0xFF; }))
        return st(Status::MemoryCumulativeWrite);
    // Configured in an earlier session of the flashloader: its block is the default option's.
    const Bytes block =
        config_block_ ? *config_block_
                      : fcb_from_option(boot::kDefaultFlexspiNorOption, chip_->flash().geometry());
    dirty_ = true;
    return chip_->flash().program(fcb_offset, block) == FlashStatus::Ok
               ? st(Status::Success)
               : st(Status::FlexspiNorProgramFail);
}

std::uint32_t Flashloader::program_once(std::uint32_t index, std::uint32_t count,
                                        std::uint32_t value) {
    if (count != 4)
        return st(Status::InvalidArgument);
    dirty_ = true;
    switch (chip_->fuses().program(index, value)) {
        case FuseStatus::Ok:
            return st(Status::Success);
        case FuseStatus::UnknownIndex:
            return st(Status::InvalidArgument);
        case FuseStatus::Locked:
            break;
    }
    return st(Status::OtpProgramFail);
}

}  // namespace rtprov::sim
