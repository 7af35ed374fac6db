// The memory rules of a write plan: every range inside its boot device's window (64-bit, so
// that no length wraps), the plan writes exactly the images of images[] where images[] puts them
// and verifies every write before anything else changes the part, an erase only prepares what a
// later step writes, and per-board flash values stay clear of every image and of each other.

#include <algorithm>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "rtprov/boot/fcb.hpp"
#include "rtprov/boot/flash_option.hpp"
#include "rtprov/hab/csf.hpp"
#include "rtprov/pkg/package.hpp"
#include "rtprov/pkg/write_plan.hpp"
#include "rtprov/util/error.hpp"
#include "validate_internal.hpp"

namespace rtprov::pkg::detail {

namespace {

constexpr std::uint64_t k4GiB = std::uint64_t{1} << 32;
constexpr std::uint32_t kOcotpSize = 0x1000;
constexpr std::uint32_t kNorSectorAlign = 0x1000;

struct Window {
    Span span;
    std::string name;  // "flexspi", "block device offsets"
};

class PlanChecker {
  public:
    explicit PlanChecker(const Checked& c) : c_(c), m_(c.manifest) {}

    void run() {
        for (i_ = 0; i_ < m_.write_plan.size(); ++i_)
            step(m_.write_plan[i_]);
        if (pending_)
            unverified();
        for (const CheckedImage& img : c_.images) {
            if (img.entry->memory_id != 0 && !written_.count(img.index)) {
                refuse(fmt::format("images[{}]", img.index),
                       fmt::format("{} is never written by the write plan", img.entry->file));
            }
        }
        for (const CheckedImage& img : c_.images) {
            if (img.key_blob_address && img.entry->memory_id != 0 && !blobs_.count(img.index)) {
                refuse(fmt::format("images[{}]", img.index),
                       fmt::format("{} is HAB-encrypted, but the write plan makes no DEK blob for "
                                   "it (key-blob step): the part could not decrypt it and would "
                                   "not boot (packages of rtprov 0.2.0 lack the step: export "
                                   "the project again)",
                                   img.entry->file));
            }
        }
        check_erases();
    }

  private:
    struct Pending {
        std::size_t step;
        const CheckedImage* image;
    };
    struct Erase {
        std::size_t step;
        std::uint32_t memory_id;
        Span span;
    };

    std::string at(std::string_view field = {}) const {
        return field.empty() ? fmt::format("write_plan[{}]", i_)
                             : fmt::format("write_plan[{}].{}", i_, field);
    }

    // The image of the package on memory `memory_id`: the only memory a step may touch.
    const CheckedImage& image_on(std::uint32_t memory_id) const {
        for (const CheckedImage& img : c_.images)
            if (img.entry->memory_id != 0 && img.entry->memory_id == memory_id)
                return img;
        std::string ids;
        for (const CheckedImage& img : c_.images)
            if (img.entry->memory_id != 0)
                ids += fmt::format("{}0x{:X} ({})", ids.empty() ? "" : ", ", img.entry->memory_id,
                                   img.entry->boot_device);
        refuse(at("memory_id"), fmt::format("0x{:X} is not the memory of an image of the package "
                                            "({})",
                                            memory_id, ids.empty() ? "none: RAM only" : ids));
    }

    Window window_of(const CheckedImage& img) const {
        const std::uint32_t id = img.entry->memory_id;
        if (id == boot_device_memory_id(device::BootDevice::FlexspiNor) ||
            id == boot_device_memory_id(device::BootDevice::SemcNor)) {
            const device::MemoryRegion* r = c_.device.region_of(img.entry->address);
            if (r == nullptr) {
                refuse(fmt::format("images[{}].address", img.index),
                       fmt::format("0x{:08x} is in no memory window of {}", img.entry->address,
                                   c_.device.name));
            }
            return {{r->start, std::uint64_t{r->start} + r->size}, std::string(r->name)};
        }
        return {{0, k4GiB}, "block device offsets"};
    }

    // [address, address + length) on memory `memory_id`, inside its window.
    Span range(std::uint32_t memory_id, std::uint32_t address, std::uint64_t length) const {
        if (length == 0)
            refuse(at(), "0 bytes");
        const Window w = window_of(image_on(memory_id));
        const Span s{address, length > k4GiB ? k4GiB * 2 : std::uint64_t{address} + length};
        if (!s.inside(w.span)) {
            const Span ocotp{device::kOcotpBase, std::uint64_t{device::kOcotpBase} + kOcotpSize};
            refuse(at(),
                   fmt::format("0x{:08x} + {} bytes is outside memory 0x{:X}'s window ({} "
                               "{} of {}){}",
                               address, length, memory_id, w.name, describe(w.span), c_.device.name,
                               s.overlaps(ocotp) ? ": it is the OCOTP fuse controller" : ""));
        }
        return s;
    }

    // A NOR erase starts on a sector boundary (4 KiB, the smallest sector of the NOR flashes
    // the RT10xx boots from): `rtprov write` rounds an erase out to the flash's sectors, and one
    // starting inside a sector would take the bytes before it. Only the window's first sector
    // may be entered inside (the RT1010's image starts at 0x400: nothing lives before its boot
    // layout). Block devices have no such rule.
    void aligned(const WriteStep& s) const {
        const bool nor = s.memory_id == boot_device_memory_id(device::BootDevice::FlexspiNor) ||
                         s.memory_id == boot_device_memory_id(device::BootDevice::SemcNor);
        const std::uint64_t sector_start = s.address - s.address % kNorSectorAlign;
        if (nor && sector_start != s.address &&
            sector_start != window_of(image_on(s.memory_id)).span.start) {
            refuse(at("address"),
                   fmt::format("an erase of NOR flash starts on a 4 KiB sector boundary, not at "
                               "0x{:08x}: rounded out to its sector it would erase the bytes "
                               "before it",
                               s.address));
        }
    }

    void unverified() const {
        refuse(fmt::format("write_plan[{}]", pending_->step),
               fmt::format("the write of {} at 0x{:08x} is not verified: every write is followed "
                           "by a verify of the same file, address and memory id before the "
                           "next step",
                           pending_->image->entry->file, pending_->image->entry->address));
    }

    void step(const WriteStep& s) {
        if (pending_ && s.op != StepOp::Verify)
            unverified();
        // An erase rounded out to the flash's sectors could take a value written before it.
        const bool changes_flash =
            s.op == StepOp::ConfigureMemory || s.op == StepOp::Erase || s.op == StepOp::Write;
        if (changes_flash && !values_.empty()) {
            refuse(at(), fmt::format("{} after the per-board value of write_plan[{}]: per-board "
                                     "values are written after the images",
                                     step_op_name(s.op), values_.front().step));
        }
        switch (s.op) {
            case StepOp::LoadFlashloader:
                if (i_ != 0)
                    refuse(at(), "load-flashloader comes first, once");
                break;
            case StepOp::ConfigureMemory:
                configure(s);
                break;
            case StepOp::Erase:
                erases_.push_back({i_, s.memory_id, range(s.memory_id, s.address, s.length)});
                aligned(s);
                break;
            case StepOp::Write:
                write(s);
                break;
            case StepOp::Verify:
                verify(s);
                break;
            case StepOp::PerBoardData:
                board_data(s.data);
                break;
            case StepOp::KeyBlob:
                key_blob(s);
                break;
            case StepOp::Reset:
                if (i_ + 1 != m_.write_plan.size())
                    refuse(at(), "reset is the last step");
                break;
            case StepOp::ProgramFuses:
            case StepOp::LockFuses:
                break;
        }
    }

    void configure(const WriteStep& s) {
        const CheckedImage& img = image_on(s.memory_id);
        if (!s.fcb_file.empty()) {
            const FileRole role = file_entry(m_, s.fcb_file).role;
            if (role != FileRole::Image && role != FileRole::Fcb) {
                refuse(at("fcb_file"), fmt::format("'{}' has role {}, not image or fcb", s.fcb_file,
                                                   file_role_name(role)));
            }
            const Bytes& f = file_data(c_, s.fcb_file);
            if (std::uint64_t{s.fcb_offset} + boot::kFcbSize > f.size()) {
                refuse(at("fcb_offset"), fmt::format("no FCB at offset 0x{:X} of {} ({} bytes)",
                                                     s.fcb_offset, s.fcb_file, f.size()));
            }
            with_context("manifest.json: " + at("fcb_file"), [&] {
                (void)boot::parse_fcb(ByteView(f).subspan(s.fcb_offset, boot::kFcbSize),
                                      s.fcb_file);
            });
        } else if (s.option_words == std::vector<std::uint32_t>{boot::kProgramFcbOption}) {
            if (s.memory_id != boot_device_memory_id(device::BootDevice::FlexspiNor))
                refuse(at("option_words"), "0xf000000f programs an FCB on FlexSPI NOR only");
            const std::uint32_t fcb = flexspi_fcb_address(c_.device, img.entry->address);
            fcb_programs_.push_back({i_, s.memory_id, {fcb, std::uint64_t{fcb} + boot::kFcbSize}});
        }
    }

    void write(const WriteStep& s) {
        const auto img = std::find_if(c_.images.begin(), c_.images.end(), [&](const auto& i) {
            return i.entry->memory_id != 0 && i.entry->memory_id == s.memory_id &&
                   i.entry->address == s.address && i.entry->file == s.file;
        });
        if (img == c_.images.end()) {
            refuse(at(), fmt::format("writes {} at 0x{:08x} of memory 0x{:X}, which is not an "
                                     "image of images[] where images[] puts it: a plan writes "
                                     "exactly the images it declares",
                                     s.file, s.address, s.memory_id));
        }
        if (!written_.insert(img->index).second)
            refuse(at(), fmt::format("{} is written twice", s.file));
        writes_.push_back({i_, s.memory_id, range(s.memory_id, s.address, img->data->size())});
        pending_ = Pending{i_, &*img};
    }

    void verify(const WriteStep& s) {
        if (!pending_) {
            refuse(at(), fmt::format("verifies {} at 0x{:08x}, which the step before did not "
                                     "write",
                                     s.file, s.address));
        }
        const ImageEntry& w = *pending_->image->entry;
        if (s.file != w.file || s.address != w.address || s.memory_id != w.memory_id) {
            refuse(at(),
                   fmt::format("verifies {} at 0x{:08x} of memory 0x{:X}, but the step "
                               "before wrote {} at 0x{:08x} of memory 0x{:X}",
                               s.file, s.address, s.memory_id, w.file, w.address, w.memory_id));
        }
        pending_.reset();
    }

    // The DEK blob of a HAB-encrypted image goes where its CSF's Install Secret Key says, in
    // the boot data's reserved 0x200 bytes after the CSF, once the image is written.
    void key_blob(const WriteStep& s) {
        const CheckedImage& img = image_on(s.memory_id);
        if (!written_.count(img.index))
            refuse(at(), fmt::format("comes before {} is written: the blob goes beside the image's "
                                     "CSF once the image is on the part",
                                     img.entry->file));
        if (!img.key_blob_address) {
            refuse(at(), fmt::format("{} is not HAB-encrypted (its CSF installs no secret key): "
                                     "there is no DEK to wrap",
                                     img.entry->file));
        }
        if (s.address != *img.key_blob_address) {
            refuse(at("address"),
                   fmt::format("0x{:08x}, but the CSF of {} reads the DEK blob at 0x{:08x}",
                               s.address, img.entry->file, *img.key_blob_address));
        }
        const Span blob = range(s.memory_id, s.address, hab::kKeyBlobSize);
        if (!blob.inside(img.occupied))
            refuse(at("address"), fmt::format("{} is outside what the boot data of {} loads ({})",
                                              describe(blob), img.entry->file,
                                              describe(img.occupied)));
        if (!blobs_.insert(img.index).second)
            refuse(at(), fmt::format("a second DEK blob for {}", img.entry->file));
        // The blob area follows the CSF the image file ends with: one erase prepares both.
        for (Erase& w : writes_) {
            if (w.memory_id == s.memory_id && w.span.end == blob.start) {
                w.span.end = blob.end;
                return;
            }
        }
        writes_.push_back({i_, s.memory_id, blob});
    }

    void board_data(const BoardData& d) {
        if (!d.fuses.empty())
            return;
        const Span s = range(d.memory_id, d.address, d.size);
        for (const CheckedImage& img : c_.images) {
            if (img.entry->memory_id == d.memory_id && s.overlaps(img.occupied)) {
                refuse(at("address"),
                       fmt::format("{}: {} overlaps images[{}] {} at {} (the image, its CSF "
                                   "and what its boot data loads)",
                                   d.name, describe(s), img.index, img.entry->file,
                                   describe(img.occupied)));
            }
        }
        for (const Erase& f : fcb_programs_) {
            if (f.memory_id == d.memory_id && s.overlaps(f.span))
                refuse(at("address"), fmt::format("{}: {} overlaps the FCB at {}", d.name,
                                                  describe(s), describe(f.span)));
        }
        for (const Erase& v : values_) {
            if (v.memory_id == d.memory_id && s.overlaps(v.span)) {
                refuse(at("address"), fmt::format("{}: {} overlaps the per-board value of "
                                                  "write_plan[{}]",
                                                  d.name, describe(s), v.step));
            }
        }
        values_.push_back({i_, d.memory_id, s});
    }

    // An erase prepares what a later step writes: an image, or the FCB the flashloader programs.
    void check_erases() const {
        for (const Erase& e : erases_) {
            const auto covers = [&](const Erase& w) {
                return w.step > e.step && w.memory_id == e.memory_id && e.span.inside(w.span);
            };
            if (std::none_of(writes_.begin(), writes_.end(), covers) &&
                std::none_of(fcb_programs_.begin(), fcb_programs_.end(), covers)) {
                refuse(fmt::format("write_plan[{}]", e.step),
                       fmt::format("erases {} of memory 0x{:X}, which no later step writes: a "
                                   "plan erases only the image or FCB it then writes",
                                   describe(e.span), e.memory_id));
            }
        }
    }

    const Checked& c_;
    const Manifest& m_;
    std::size_t i_ = 0;
    std::optional<Pending> pending_;
    std::set<std::size_t> written_;  // images[] indices
    std::set<std::size_t> blobs_;    // images[] indices with their DEK blob
    std::vector<Erase> erases_;
    std::vector<Erase> writes_;
    std::vector<Erase> fcb_programs_;
    std::vector<Erase> values_;
};

}  // namespace

void check_memory_steps(const Checked& c) {
    PlanChecker(c).run();
}

}  // namespace rtprov::pkg::detail
