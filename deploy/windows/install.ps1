# Installs the FaceAge worker as a Windows service. Run in an elevated PowerShell from the repository
# root after the models are built (they are the same files on every OS: copy models/*.onnx over).
param([string]$InstallDir = "$env:ProgramFiles\FaceAge")
$ErrorActionPreference = "Stop"
if (-not (Test-Path "models\faceres-deep.onnx")) { throw "models missing: build them with 'dotnet run --project src/FaceAge.Cli -- models setup'" }
dotnet publish src/FaceAge.Worker -c Release -r win-x64 --self-contained true -o $InstallDir -nologo
New-Item -ItemType Directory -Force "$InstallDir\models" | Out-Null
Copy-Item models\*.onnx, models\manifest.json "$InstallDir\models"
New-Item -ItemType Directory -Force "$InstallDir\models\heads" | Out-Null
Copy-Item models\heads\*.onnx, models\heads\*.json "$InstallDir\models\heads"
if (-not (Test-Path "$InstallDir\appsettings.json")) { Copy-Item appsettings.json $InstallDir }
[Environment]::SetEnvironmentVariable("FACEAGE_MODELS", "$InstallDir\models", "Machine")
# The service logs to the Windows event log (source "FaceAge") through UseWindowsService.
New-Service -Name FaceAge -DisplayName "FaceAge worker" -Description "Anonymous face age and gender from camera streams" `
  -BinaryPathName "`"$InstallDir\faceage-worker.exe`"" -StartupType Automatic
sc.exe failure FaceAge reset= 86400 actions= restart/5000/restart/5000/restart/30000 | Out-Null
Start-Service FaceAge
Write-Host "installed: edit $InstallDir\appsettings.json (cameras), then Restart-Service FaceAge"
