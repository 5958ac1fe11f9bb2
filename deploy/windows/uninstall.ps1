# Stops and removes the FaceAge Windows service and its files. Run in an elevated PowerShell.
param([string]$InstallDir = "$env:ProgramFiles\FaceAge")
$ErrorActionPreference = "Continue"
Stop-Service FaceAge -ErrorAction SilentlyContinue
sc.exe delete FaceAge | Out-Null
Remove-Item -Recurse -Force $InstallDir -ErrorAction SilentlyContinue
[Environment]::SetEnvironmentVariable("FACEAGE_MODELS", $null, "Machine")
Write-Host "FaceAge removed"
