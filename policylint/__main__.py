from policylint._cli.entrypoint import console_script

console_script()
