// The directives systemd 252/253 knows, per section (systemd.directives(7)), so that unknown ones
// can be reported. Lists, not semantics: see unit_file.h.
#include <initializer_list>
#include <string_view>

#include "unit-compat/unit_file.h"

namespace ctinit::units {

namespace {

constexpr std::string_view kUnit[] = {
    "Description", "Documentation", "Wants", "Requires", "Requisite", "BindsTo", "PartOf",
    "Upholds", "Conflicts", "Before", "After", "OnFailure", "OnSuccess", "PropagatesReloadTo",
    "ReloadPropagatedFrom", "PropagatesStopTo", "StopPropagatedFrom", "JoinsNamespaceOf",
    "RequiresMountsFor", "OnFailureJobMode", "OnFailureIsolate", "IgnoreOnIsolate",
    "StopWhenUnneeded", "RefuseManualStart", "RefuseManualStop", "AllowIsolate",
    "DefaultDependencies", "CollectMode", "FailureAction", "SuccessAction",
    "FailureActionExitStatus", "SuccessActionExitStatus", "JobTimeoutSec", "JobRunningTimeoutSec",
    "JobTimeoutAction", "JobTimeoutRebootArgument", "StartLimitIntervalSec", "StartLimitInterval",
    "StartLimitBurst", "StartLimitAction", "RebootArgument", "SourcePath", "BindTo",
    "IgnoreOnSnapshot", "OnFailureMode", "PropagateReloadTo", "PropagateReloadFrom",
    "RequiresOverridable", "RequisiteOverridable", "Names",
    // Conditions and asserts.
    "ConditionArchitecture", "ConditionFirmware", "ConditionVirtualization", "ConditionHost",
    "ConditionKernelCommandLine", "ConditionKernelVersion", "ConditionCredential",
    "ConditionEnvironment", "ConditionSecurity", "ConditionCapability", "ConditionACPower",
    "ConditionNeedsUpdate", "ConditionFirstBoot", "ConditionPathExists", "ConditionPathExistsGlob",
    "ConditionPathIsDirectory", "ConditionPathIsSymbolicLink", "ConditionPathIsMountPoint",
    "ConditionPathIsReadWrite", "ConditionPathIsEncrypted", "ConditionDirectoryNotEmpty",
    "ConditionFileNotEmpty", "ConditionFileIsExecutable", "ConditionUser", "ConditionGroup",
    "ConditionControlGroupController", "ConditionMemory", "ConditionCPUs", "ConditionCPUFeature",
    "ConditionOSRelease", "ConditionMemoryPressure", "ConditionCPUPressure", "ConditionIOPressure",
    "ConditionNull", "AssertArchitecture", "AssertFirmware", "AssertVirtualization", "AssertHost",
    "AssertKernelCommandLine", "AssertKernelVersion", "AssertCredential", "AssertEnvironment",
    "AssertSecurity", "AssertCapability", "AssertACPower", "AssertNeedsUpdate", "AssertFirstBoot",
    "AssertPathExists", "AssertPathExistsGlob", "AssertPathIsDirectory", "AssertPathIsSymbolicLink",
    "AssertPathIsMountPoint", "AssertPathIsReadWrite", "AssertPathIsEncrypted",
    "AssertDirectoryNotEmpty", "AssertFileNotEmpty", "AssertFileIsExecutable", "AssertUser",
    "AssertGroup", "AssertControlGroupController", "AssertMemory", "AssertCPUs", "AssertCPUFeature",
    "AssertOSRelease", "AssertMemoryPressure", "AssertCPUPressure", "AssertIOPressure",
    "AssertNull"};

constexpr std::string_view kInstall[] = {"Alias", "WantedBy",        "RequiredBy",
                                         "Also",  "DefaultInstance", "UpheldBy"};

// systemd.exec(5) and systemd.kill(5): shared by service, socket, mount and swap units.
constexpr std::string_view kExecKill[] = {
    "ExecSearchPath", "WorkingDirectory", "RootDirectory", "RootImage", "RootImageOptions",
    "RootHash", "RootHashSignature", "RootVerity", "MountAPIVFS", "ProtectProc", "ProcSubset",
    "BindPaths", "BindReadOnlyPaths", "MountImages", "ExtensionImages", "ExtensionDirectories",
    "User", "Group", "DynamicUser", "SupplementaryGroups", "PAMName", "CapabilityBoundingSet",
    "AmbientCapabilities", "NoNewPrivileges", "SecureBits", "SELinuxContext", "AppArmorProfile",
    "SmackProcessLabel", "LimitCPU", "LimitFSIZE", "LimitDATA", "LimitSTACK", "LimitCORE",
    "LimitRSS", "LimitNOFILE", "LimitAS", "LimitNPROC", "LimitMEMLOCK", "LimitLOCKS",
    "LimitSIGPENDING", "LimitMSGQUEUE", "LimitNICE", "LimitRTPRIO", "LimitRTTIME", "UMask",
    "CoredumpFilter", "KeyringMode", "OOMScoreAdjust", "TimerSlackNSec", "Personality",
    "IgnoreSIGPIPE", "Nice", "CPUSchedulingPolicy", "CPUSchedulingPriority",
    "CPUSchedulingResetOnFork", "CPUAffinity", "NUMAPolicy", "NUMAMask", "IOSchedulingClass",
    "IOSchedulingPriority", "ProtectSystem", "ProtectHome", "RuntimeDirectory", "StateDirectory",
    "CacheDirectory", "LogsDirectory", "ConfigurationDirectory", "RuntimeDirectoryMode",
    "StateDirectoryMode", "CacheDirectoryMode", "LogsDirectoryMode", "ConfigurationDirectoryMode",
    "RuntimeDirectoryPreserve", "TimeoutCleanSec", "ReadWritePaths", "ReadOnlyPaths",
    "InaccessiblePaths", "ExecPaths", "NoExecPaths", "ReadWriteDirectories", "ReadOnlyDirectories",
    "InaccessibleDirectories", "TemporaryFileSystem", "PrivateTmp", "PrivateDevices",
    "PrivateNetwork", "NetworkNamespacePath", "PrivateIPC", "IPCNamespacePath", "PrivateUsers",
    "ProtectHostname", "ProtectClock", "ProtectKernelTunables", "ProtectKernelModules",
    "ProtectKernelLogs", "ProtectControlGroups", "RestrictAddressFamilies", "RestrictFileSystems",
    "RestrictNamespaces", "LockPersonality", "MemoryDenyWriteExecute", "RestrictRealtime",
    "RestrictSUIDSGID", "RemoveIPC", "PrivateMounts", "MountFlags", "SystemCallFilter",
    "SystemCallErrorNumber", "SystemCallArchitectures", "SystemCallLog", "Environment",
    "EnvironmentFile", "PassEnvironment", "UnsetEnvironment", "StandardInput", "StandardOutput",
    "StandardError", "StandardInputText", "StandardInputData", "LogLevelMax", "LogExtraFields",
    "LogRateLimitIntervalSec", "LogRateLimitBurst", "LogFilterPatterns", "LogNamespace",
    "SyslogIdentifier", "SyslogFacility", "SyslogLevel", "SyslogLevelPrefix", "TTYPath", "TTYReset",
    "TTYVHangup", "TTYRows", "TTYColumns", "TTYVTDisallocate", "LoadCredential",
    "LoadCredentialEncrypted", "ImportCredential", "SetCredential", "SetCredentialEncrypted",
    "UtmpIdentifier", "UtmpMode", "CPUSchedulingResetOnFork", "ProtectKernelLogs", "MountAPIVFS",
    "BPFProgram", "SocketBindAllow", "SocketBindDeny", "NFTSet", "RestrictNetworkInterfaces",
    "PrivateMounts", "Capabilities", "SyslogLevelPrefix",
    // systemd.kill(5)
    "KillMode", "KillSignal", "RestartKillSignal", "SendSIGHUP", "SendSIGKILL", "FinalKillSignal",
    "WatchdogSignal",
    // systemd.resource-control(5)
    "CPUAccounting", "CPUWeight", "StartupCPUWeight", "CPUQuota", "CPUQuotaPeriodSec",
    "AllowedCPUs", "StartupAllowedCPUs", "AllowedMemoryNodes", "StartupAllowedMemoryNodes",
    "MemoryAccounting", "MemoryMin", "MemoryLow", "MemoryHigh", "MemoryMax", "MemorySwapMax",
    "MemoryZSwapMax", "TasksAccounting", "TasksMax", "IOAccounting", "IOWeight", "StartupIOWeight",
    "IODeviceWeight", "IOReadBandwidthMax", "IOWriteBandwidthMax", "IOReadIOPSMax",
    "IOWriteIOPSMax", "IODeviceLatencyTargetSec", "IPAccounting", "IPAddressAllow", "IPAddressDeny",
    "IPIngressFilterPath", "IPEgressFilterPath", "DeviceAllow", "DevicePolicy", "Slice", "Delegate",
    "DisableControllers", "ManagedOOMSwap", "ManagedOOMMemoryPressure",
    "ManagedOOMMemoryPressureLimit", "ManagedOOMPreference", "MemoryPressureWatch",
    "MemoryPressureThresholdSec", "CPUShares", "StartupCPUShares", "MemoryLimit",
    "BlockIOAccounting", "BlockIOWeight", "StartupBlockIOWeight", "BlockIODeviceWeight",
    "BlockIOReadBandwidth", "BlockIOWriteBandwidth", "NetClass", "CoredumpReceive"};

constexpr std::string_view kService[] = {"Type",
                                         "ExitType",
                                         "RemainAfterExit",
                                         "GuessMainPID",
                                         "PIDFile",
                                         "BusName",
                                         "ExecStart",
                                         "ExecStartPre",
                                         "ExecStartPost",
                                         "ExecCondition",
                                         "ExecReload",
                                         "ExecStop",
                                         "ExecStopPost",
                                         "RestartSec",
                                         "RestartSteps",
                                         "RestartMaxDelaySec",
                                         "TimeoutStartSec",
                                         "TimeoutStopSec",
                                         "TimeoutAbortSec",
                                         "TimeoutSec",
                                         "TimeoutStartFailureMode",
                                         "TimeoutStopFailureMode",
                                         "RuntimeMaxSec",
                                         "RuntimeRandomizedExtraSec",
                                         "WatchdogSec",
                                         "Restart",
                                         "RestartMode",
                                         "SuccessExitStatus",
                                         "RestartPreventExitStatus",
                                         "RestartForceExitStatus",
                                         "RootDirectoryStartOnly",
                                         "NonBlocking",
                                         "NotifyAccess",
                                         "Sockets",
                                         "FileDescriptorStoreMax",
                                         "FileDescriptorStorePreserve",
                                         "USBFunctionDescriptors",
                                         "USBFunctionStrings",
                                         "OOMPolicy",
                                         "OpenFile",
                                         "ReloadSignal",
                                         "PermissionsStartOnly",
                                         "SysVStartPriority",
                                         "FailureAction",
                                         "StartLimitInterval",
                                         "StartLimitIntervalSec",
                                         "StartLimitBurst",
                                         "StartLimitAction",
                                         "RebootArgument"};

constexpr std::string_view kSocket[] = {"ListenStream",
                                        "ListenDatagram",
                                        "ListenSequentialPacket",
                                        "ListenFIFO",
                                        "ListenSpecial",
                                        "ListenNetlink",
                                        "ListenMessageQueue",
                                        "ListenUSBFunction",
                                        "SocketProtocol",
                                        "BindIPv6Only",
                                        "Backlog",
                                        "BindToDevice",
                                        "SocketUser",
                                        "SocketGroup",
                                        "SocketMode",
                                        "DirectoryMode",
                                        "Accept",
                                        "Writable",
                                        "FlushPending",
                                        "MaxConnections",
                                        "MaxConnectionsPerSource",
                                        "KeepAlive",
                                        "KeepAliveTimeSec",
                                        "KeepAliveIntervalSec",
                                        "KeepAliveProbes",
                                        "NoDelay",
                                        "Priority",
                                        "DeferAcceptSec",
                                        "ReceiveBuffer",
                                        "SendBuffer",
                                        "IPTOS",
                                        "IPTTL",
                                        "Mark",
                                        "ReusePort",
                                        "SmackLabel",
                                        "SmackLabelIPIn",
                                        "SmackLabelIPOut",
                                        "SELinuxContextFromNet",
                                        "PipeSize",
                                        "MessageQueueMaxMessages",
                                        "MessageQueueMessageSize",
                                        "FreeBind",
                                        "Transparent",
                                        "Broadcast",
                                        "PassCredentials",
                                        "PassSecurity",
                                        "PassPacketInfo",
                                        "Timestamping",
                                        "TCPCongestion",
                                        "ExecStartPre",
                                        "ExecStartPost",
                                        "ExecStopPre",
                                        "ExecStopPost",
                                        "TimeoutSec",
                                        "Service",
                                        "RemoveOnStop",
                                        "Symlinks",
                                        "FileDescriptorName",
                                        "TriggerLimitIntervalSec",
                                        "TriggerLimitBurst",
                                        "PollLimitIntervalSec",
                                        "PollLimitBurst"};

constexpr std::string_view kTimer[] = {
    "OnActiveSec",       "OnBootSec",     "OnStartupSec",     "OnUnitActiveSec",
    "OnUnitInactiveSec", "OnCalendar",    "AccuracySec",      "RandomizedDelaySec",
    "FixedRandomDelay",  "OnClockChange", "OnTimezoneChange", "Unit",
    "Persistent",        "WakeSystem",    "RemainAfterElapse"};

constexpr std::string_view kPath[] = {
    "PathExists",       "PathExistsGlob",    "PathChanged",
    "PathModified",     "DirectoryNotEmpty", "Unit",
    "MakeDirectory",    "DirectoryMode",     "TriggerLimitIntervalSec",
    "TriggerLimitBurst"};

constexpr std::string_view kMount[] = {
    "What",        "Where",         "Type",         "Options",       "SloppyOptions",
    "LazyUnmount", "ReadWriteOnly", "ForceUnmount", "DirectoryMode", "TimeoutSec"};
constexpr std::string_view kAutomount[] = {"Where", "ExtraOptions", "DirectoryMode",
                                           "TimeoutIdleSec"};
constexpr std::string_view kSwap[] = {"What", "Priority", "Options", "TimeoutSec"};
constexpr std::string_view kScope[] = {"RuntimeMaxSec", "RuntimeRandomizedExtraSec", "OOMPolicy"};

template <size_t N>
void Add(Schema& s, const std::string& section, const std::string_view (&keys)[N]) {
  auto& set = s.sections[section];
  for (auto k : keys) set.emplace(k);
}

Schema Build(std::string_view type) {
  Schema s;
  Add(s, "Unit", kUnit);
  Add(s, "Install", kInstall);
  constexpr std::string_view kNone[] = {""};
  if (type == "service") {
    Add(s, "Service", kService);
    Add(s, "Service", kExecKill);
  } else if (type == "socket") {
    Add(s, "Socket", kSocket);
    Add(s, "Socket", kExecKill);
  } else if (type == "mount") {
    Add(s, "Mount", kMount);
    Add(s, "Mount", kExecKill);
  } else if (type == "swap") {
    Add(s, "Swap", kSwap);
    Add(s, "Swap", kExecKill);
  } else if (type == "timer") {
    Add(s, "Timer", kTimer);
  } else if (type == "path") {
    Add(s, "Path", kPath);
  } else if (type == "automount") {
    Add(s, "Automount", kAutomount);
  } else if (type == "scope") {
    Add(s, "Scope", kScope);
    Add(s, "Scope", kExecKill);
  } else if (type == "slice") {
    Add(s, "Slice", kNone);
    Add(s, "Slice", kExecKill);
  }
  return s;
}

}  // namespace

const Schema& DefaultSchema(std::string_view type) {
  static const Schema kService = Build("service"), kSocket = Build("socket"),
                      kTarget = Build("target"), kTimer = Build("timer"), kPath = Build("path"),
                      kMount = Build("mount"), kAutomount = Build("automount"),
                      kSwap = Build("swap"), kScope = Build("scope"), kSlice = Build("slice");
  if (type == "service") return kService;
  if (type == "socket") return kSocket;
  if (type == "timer") return kTimer;
  if (type == "path") return kPath;
  if (type == "mount") return kMount;
  if (type == "automount") return kAutomount;
  if (type == "swap") return kSwap;
  if (type == "scope") return kScope;
  if (type == "slice") return kSlice;
  return kTarget;
}

}  // namespace ctinit::units
