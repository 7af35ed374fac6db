#include "rtprov/write/events.hpp"

namespace rtprov::write {

std::string_view fuse_status_name(FuseStatus status) {
    switch (status) {
        case FuseStatus::Planned:
            return "planned";
        case FuseStatus::Unchanged:
            return "unchanged";
        case FuseStatus::Programmed:
            return "programmed";
        case FuseStatus::Failed:
            return "failed";
        case FuseStatus::Unconfirmed:
            return "unconfirmed";
        case FuseStatus::NotAttempted:
            return "not-attempted";
        case FuseStatus::Skipped:
            return "skipped";
        case FuseStatus::Conflict:
            return "conflict";
        case FuseStatus::Assigned:
            return "assigned";
    }
    return "?";
}

std::string_view outcome_name(Outcome outcome) {
    switch (outcome) {
        case Outcome::Running:
            return "running";
        case Outcome::Passed:
            return "passed";
        case Outcome::PassedUnfused:
            return "passed-unfused";
        case Outcome::Refused:
            return "refused";
        case Outcome::Failed:
            return "failed";
        case Outcome::DryRun:
            return "dry-run";
        case Outcome::Interrupted:
            return "interrupted";
    }
    return "?";
}

std::string_view trust_name(Trust trust) {
    switch (trust) {
        case Trust::Trusted:
            return "trusted";
        case Trust::Unverified:
            return "unverified";
        case Trust::UnsignedFuses:
            return "unsigned-fuses-allowed";
    }
    return "?";
}

std::string_view event_kind_name(EventKind kind) {
    switch (kind) {
        case EventKind::Start:
            return "start";
        case EventKind::StepStart:
            return "step-start";
        case EventKind::StepEnd:
            return "step-end";
        case EventKind::Progress:
            return "progress";
        case EventKind::FusePlan:
            return "fuse-plan";
        case EventKind::Retry:
            return "retry";
        case EventKind::Warning:
            return "warning";
        case EventKind::Result:
            return "result";
    }
    return "?";
}

}  // namespace rtprov::write
