from policylint.entrypoint import main

main()
