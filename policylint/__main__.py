from policylint._cli.entrypoint import main

main()
