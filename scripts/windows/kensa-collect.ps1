<#
.SYNOPSIS
    Collects this computer's security settings for "kensa audit", read-only.
    このコンピューターのセキュリティ設定を "kensa audit" 用に集めます (読み取りのみ)。

.DESCRIPTION
    Runs Windows' own tools and saves what they print, one file each, in one folder
    named after this computer (OutputPath\COMPUTERNAME). Nothing on this computer is
    changed: every command only reads (secedit /export, auditpol /get, reg export,
    wevtutil gl, net localgroup without /add or /delete, Get-SmbServerConfiguration,
    Get-HotFix). Carry the folder to the computer that runs kensa (USB memory, a share)
    and run: kensa audit FOLDER --site site.yaml

    Files written (the same names kensa simulate --audit-out writes):
      secedit.inf                     secedit /export /cfg (UTF-16LE): lockout, passwords,
                                      user rights, security options
      auditpol.csv                    auditpol /get /category:* /r
      reg-*.reg                       reg export of each registry key kensa checks
                                      (SMBv1, UAC, RDP/NLA, Office macros, USB storage,
                                      event log sizes); a key that does not exist is
                                      noted in collect.log
      wevtutil-*.txt                  wevtutil gl of Security, System, Application and
                                      the Terminal Services operational logs
      localgroup-administrators.txt   net localgroup of the built-in Administrators group
      smb-server-config.txt / .json   Get-SmbServerConfiguration
      hotfix.json                     Get-HotFix
      Security.evtx                   only with -IncludeSecurityLog (wevtutil epl, a copy)
      collect.log                     what was collected and what was missing

    HKCU is the account running this script: run it as the administrator who also
    uses Office here, or rely on the machine-wide Office policies (HKLM).

    Windows の標準ツールを実行し、その出力をこのコンピューター名のフォルダー
    (OutputPath\COMPUTERNAME) に 1 ファイルずつ保存します。このコンピューターの設定は
    何も変更しません。使うコマンドはすべて読み取りだけです (secedit /export、
    auditpol /get、reg export、wevtutil gl、/add や /delete を付けない net localgroup、
    Get-SmbServerConfiguration、Get-HotFix)。できたフォルダーを kensa を動かす
    コンピューターへ運び (USB メモリ、共有フォルダーなど)、次を実行します:
    kensa audit フォルダー --site site.yaml

    HKCU はこのスクリプトを実行したアカウントのものです。ここで Office を使う管理者が
    実行するか、コンピューター全体の Office ポリシー (HKLM) で判定してください。

.PARAMETER OutputPath
    Where the COMPUTERNAME folder is created (default: kensa-collect next to this
    script). An existing folder of the same computer is replaced file by file.
    COMPUTERNAME フォルダーを作る場所 (既定: このスクリプトと同じ場所の kensa-collect)。
    同じコンピューターの既存フォルダーはファイルごとに上書きします。

.PARAMETER IncludeSecurityLog
    Also save a copy of the Security log (wevtutil epl Security) so that kensa can
    estimate how many days the log holds. The copy can be large.
    Security ログのコピー (wevtutil epl Security) も保存します。ログが何日分を保持
    できるかを kensa が見積もれます。大きなファイルになることがあります。

.EXAMPLE
    powershell.exe -NoProfile -ExecutionPolicy Bypass -File .\kensa-collect.ps1 -OutputPath E:\kensa
    Run from an administrator's command prompt; E: is a USB memory. -ExecutionPolicy
    Bypass applies to this one run only and changes no setting.
    管理者として開いたコマンド プロンプトから実行します (E: は USB メモリ)。
    -ExecutionPolicy Bypass はこの 1 回の実行だけに効き、設定は変えません。

.NOTES
    PowerShell 5.1 (Windows 10 / Server 2016 and later), no modules to install.
    Must run as administrator (secedit, auditpol and the Security log need it).
    PowerShell 5.1 (Windows 10 / Server 2016 以降)。追加のモジュールは不要です。
    管理者として実行してください (secedit、auditpol、Security ログに必要です)。
#>
[CmdletBinding()]
param(
    [string]$OutputPath = (Join-Path $PSScriptRoot 'kensa-collect'),
    [switch]$IncludeSecurityLog
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Continue'

$principal = New-Object Security.Principal.WindowsPrincipal(
    [Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
    Write-Error ('Run this script as administrator. / ' +
                 '管理者として実行してください (右クリック > 管理者として実行)。')
    exit 2
}

$computer = $env:COMPUTERNAME
# a full path: .NET and cmd.exe do not know PowerShell's current location
$dir = (New-Item -ItemType Directory -Force -Path (Join-Path $OutputPath $computer)).FullName
$log = Join-Path $dir 'collect.log'
$utf8 = New-Object System.Text.UTF8Encoding($true)   # with BOM, as PowerShell 5.1 writes
[IO.File]::WriteAllText($log, '', $utf8)

function Write-Log([string]$line) {
    [IO.File]::AppendAllText($log, $line + "`r`n", $utf8)
    Write-Verbose $line
}

function Get-Target([string]$name) { Join-Path $dir $name }

# A native tool's output as cmd.exe redirects it: the console code page's bytes
# (CP932 on Japanese Windows), CR LF. Errors go to the log, not into the file.
function Invoke-Redirected([string]$name, [string]$command) {
    $target = Get-Target $name
    $err = [IO.Path]::GetTempFileName()
    & cmd.exe /d /c "$command > `"$target`" 2> `"$err`""
    $code = $LASTEXITCODE
    $msg = (Get-Content -LiteralPath $err -ErrorAction SilentlyContinue) -join ' '
    Remove-Item -LiteralPath $err -Force -ErrorAction SilentlyContinue
    if ($code -eq 0) {
        Write-Log ('ok       ' + $name)
    } else {
        Write-Log ('failed   ' + $name + '  ' + $command + ' (exit ' + $code + ') ' + $msg)
    }
}

Write-Log ('kensa-collect 1.0 on ' + $computer + ', ' + (Get-Culture).Name + ', as ' +
           [Security.Principal.WindowsIdentity]::GetCurrent().Name + ' (administrator)')
Write-Log ('started ' + (Get-Date).ToString('yyyy-MM-ddTHH:mm:sszzz'))

# secedit: SECURITYPOLICY (account policies, audit policy, security options as
# [Registry Values]) and USER_RIGHTS. /export only reads; its own log goes to TEMP so
# that the folder holds exports only.
$inf = Get-Target 'secedit.inf'
$seclog = Join-Path $env:TEMP 'kensa-secedit.log'
& secedit.exe /export /cfg "$inf" /areas SECURITYPOLICY USER_RIGHTS /log "$seclog" | Out-Null
if ($LASTEXITCODE -eq 0) { Write-Log 'ok       secedit.inf' }
else { Write-Log ('failed   secedit.inf  secedit /export (exit ' + $LASTEXITCODE + ')') }

Invoke-Redirected 'auditpol.csv' 'auditpol.exe /get /category:* /r'

# reg export writes UTF-16LE with a BOM and exports the key with all its subkeys.
$keys = @(
    @('reg-lanmanserver.reg', 'HKLM\SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters'),
    @('reg-mrxsmb10.reg', 'HKLM\SYSTEM\CurrentControlSet\Services\mrxsmb10'),
    @('reg-policies-system.reg', 'HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System'),
    @('reg-terminal-server.reg', 'HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server'),
    @('reg-ts-policies.reg', 'HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services'),
    @('reg-office-policies-hkcu.reg', 'HKCU\Software\Policies\Microsoft\Office\16.0'),
    @('reg-office-policies-hklm.reg', 'HKLM\SOFTWARE\Policies\Microsoft\Office\16.0'),
    @('reg-office-word.reg', 'HKCU\Software\Microsoft\Office\16.0\Word\Security'),
    @('reg-office-excel.reg', 'HKCU\Software\Microsoft\Office\16.0\Excel\Security'),
    @('reg-office-powerpoint.reg', 'HKCU\Software\Microsoft\Office\16.0\PowerPoint\Security'),
    @('reg-usbstor.reg', 'HKLM\SYSTEM\CurrentControlSet\Services\USBSTOR'),
    @('reg-removable-storage.reg', 'HKLM\SOFTWARE\Policies\Microsoft\Windows\RemovableStorageDevices'),
    @('reg-eventlog-security.reg', 'HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Security'),
    @('reg-eventlog-system.reg', 'HKLM\SYSTEM\CurrentControlSet\Services\EventLog\System'),
    @('reg-eventlog-application.reg', 'HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application'),
    @('reg-eventlog-policies.reg', 'HKLM\SOFTWARE\Policies\Microsoft\Windows\EventLog')
)
foreach ($k in $keys) {
    $name = $k[0]; $key = $k[1]
    $full = $key -replace '^HKLM\\', 'HKEY_LOCAL_MACHINE\' -replace '^HKCU\\', 'HKEY_CURRENT_USER\'
    if (-not (Test-Path -LiteralPath ('Registry::' + $full))) {
        Write-Log ('missing  ' + $name + '  ' + $full + ' (reg export: the key does not exist)')
        continue
    }
    & reg.exe export "$key" "$(Get-Target $name)" /y 2>&1 | Out-Null
    if ($LASTEXITCODE -eq 0) { Write-Log ('ok       ' + $name) }
    else { Write-Log ('failed   ' + $name + '  reg export "' + $key + '" (exit ' + $LASTEXITCODE + ')') }
}

$channels = @(
    @('wevtutil-Security.txt', 'Security'),
    @('wevtutil-System.txt', 'System'),
    @('wevtutil-Application.txt', 'Application'),
    @('wevtutil-TerminalServices-LocalSessionManager-Operational.txt',
      'Microsoft-Windows-TerminalServices-LocalSessionManager/Operational'),
    @('wevtutil-TerminalServices-RemoteConnectionManager-Operational.txt',
      'Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational')
)
foreach ($c in $channels) {
    Invoke-Redirected $c[0] ('wevtutil.exe gl "' + $c[1] + '"')
}

# The built-in Administrators group by its SID: its name is translated on some
# languages of Windows. Only listed; /add and /delete are never used.
$admins = (New-Object Security.Principal.SecurityIdentifier('S-1-5-32-544')).Translate(
    [Security.Principal.NTAccount]).Value.Split('\')[-1]
Invoke-Redirected 'localgroup-administrators.txt' ('net.exe localgroup "' + $admins + '"')

try {
    $smb = Get-SmbServerConfiguration -ErrorAction Stop
    $smb | Format-List | Out-File -LiteralPath (Get-Target 'smb-server-config.txt') -Encoding UTF8 -Width 4096
    Write-Log 'ok       smb-server-config.txt'
    $smb | Select-Object -Property * -ExcludeProperty Cim*, PSComputerName | ConvertTo-Json |
        Out-File -LiteralPath (Get-Target 'smb-server-config.json') -Encoding UTF8
    Write-Log 'ok       smb-server-config.json'
} catch {
    Write-Log ('failed   smb-server-config  Get-SmbServerConfiguration: ' + $_.Exception.Message)
}

try {
    $fixes = @(Get-HotFix -ErrorAction Stop |
        Select-Object Source, Description, HotFixID, InstalledBy, InstalledOn)
    ConvertTo-Json -InputObject $fixes |
        Out-File -LiteralPath (Get-Target 'hotfix.json') -Encoding UTF8
    Write-Log 'ok       hotfix.json'
} catch {
    Write-Log ('failed   hotfix.json  Get-HotFix: ' + $_.Exception.Message)
}

if ($IncludeSecurityLog) {
    # a copy of the log; the log itself is left as it is
    $evtx = Get-Target 'Security.evtx'
    if (Test-Path -LiteralPath $evtx) { Remove-Item -LiteralPath $evtx -Force }
    & wevtutil.exe epl Security "$evtx" 2>&1 | Out-Null
    if ($LASTEXITCODE -eq 0) { Write-Log 'ok       Security.evtx' }
    else { Write-Log ('failed   Security.evtx  wevtutil epl Security (exit ' + $LASTEXITCODE + ')') }
}

$count = @(Get-ChildItem -LiteralPath $dir -File | Where-Object { $_.Name -ne 'collect.log' }).Count
Write-Log ('done: ' + $count + ' files; nothing was changed on this computer')
Write-Host ('kensa-collect: ' + $dir + ' (' + $count + ' files)')
Write-Host ('このフォルダーを kensa のコンピューターへ運び、kensa audit で確認してください: ' + $dir)
